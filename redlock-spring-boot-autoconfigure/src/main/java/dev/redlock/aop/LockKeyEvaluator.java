package dev.redlock.aop;

import java.lang.reflect.Method;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.EvaluationException;

/**
 * Evaluates a {@link LockOperation}'s key for one call. The expression was parsed once; only the
 * evaluation context is built per call.
 */
class LockKeyEvaluator {

	private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	private final BeanFactoryResolver beanResolver;

	LockKeyEvaluator(BeanFactory beanFactory) {
		this.beanResolver = (beanFactory != null) ? new BeanFactoryResolver(beanFactory) : null;
	}

	/**
	 * The lock key of one call, without the global key prefix.
	 * @throws IllegalArgumentException if the expression fails or yields {@code null} or blank;
	 * the message names the method and the expression
	 */
	String key(LockOperation operation, Method method, Object[] args, Object target) {
		if (operation.keyExpression() == null) {
			return operation.constantKey();
		}
		MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(
				new LockExpressionRoot(method, args, target), method, args, this.parameterNames);
		if (this.beanResolver != null) {
			context.setBeanResolver(this.beanResolver);
		}
		Object value;
		try {
			value = operation.keyExpression().getValue(context);
		}
		catch (EvaluationException ex) {
			throw invalid(operation, "cannot be evaluated: " + ex.getMessage(), ex);
		}
		if (value == null) {
			throw invalid(operation, "evaluated to null", null);
		}
		String key = value.toString();
		if (key.isBlank()) {
			throw invalid(operation, "evaluated to a blank string", null);
		}
		return operation.prefix() + key;
	}

	private static IllegalArgumentException invalid(LockOperation operation, String problem, Throwable cause) {
		return new IllegalArgumentException("@DistributedLock on " + operation.describe() + ": key expression '"
				+ operation.keySource() + "' " + problem + "; no lock was taken and the method did not run", cause);
	}

	/**
	 * The {@code #root} object of key expressions: {@code #root.methodName}, {@code #root.method},
	 * {@code #root.args}, {@code #root.target}.
	 */
	public static final class LockExpressionRoot {

		private final Method method;

		private final Object[] args;

		private final Object target;

		LockExpressionRoot(Method method, Object[] args, Object target) {
			this.method = method;
			this.args = args;
			this.target = target;
		}

		/**
		 * The invoked method.
		 * @return the method
		 */
		public Method getMethod() {
			return this.method;
		}

		/**
		 * The invoked method's name.
		 * @return the name
		 */
		public String getMethodName() {
			return this.method.getName();
		}

		/**
		 * The call's arguments.
		 * @return the arguments
		 */
		public Object[] getArgs() {
			return this.args;
		}

		/**
		 * The target object.
		 * @return the target
		 */
		public Object getTarget() {
			return this.target;
		}

	}

}
