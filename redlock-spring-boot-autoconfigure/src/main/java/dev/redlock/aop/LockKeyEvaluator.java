package dev.redlock.aop;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.EvaluationContext;
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
	 * The evaluation context of one call, shared by its condition and its keys.
	 */
	EvaluationContext context(Method method, Object[] args, Object target) {
		MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(
				new LockExpressionRoot(method, args, target), method, args, this.parameterNames);
		if (this.beanResolver != null) {
			context.setBeanResolver(this.beanResolver);
		}
		return context;
	}

	/**
	 * Whether this call takes the lock.
	 * @throws IllegalArgumentException if the condition fails or is not a boolean
	 */
	boolean condition(LockOperation operation, EvaluationContext context) {
		if (operation.condition() == null) {
			return true;
		}
		Object value;
		try {
			value = operation.condition().getValue(context);
		}
		catch (EvaluationException ex) {
			throw new IllegalArgumentException("@DistributedLock on " + operation.describe() + ": condition '"
					+ operation.conditionSource() + "' cannot be evaluated: " + ex.getMessage(), ex);
		}
		if (!(value instanceof Boolean result)) {
			throw new IllegalArgumentException("@DistributedLock on " + operation.describe() + ": condition '"
					+ operation.conditionSource() + "' must evaluate to true or false, not " + value);
		}
		return result;
	}

	/**
	 * The lock keys of one call, without the global key prefix.
	 * @throws IllegalArgumentException if an expression fails or yields {@code null} or blank; the
	 * message names the method and the expression
	 */
	List<String> keys(LockOperation operation, EvaluationContext context) {
		if (operation.keyExpressions().isEmpty()) {
			return List.of(operation.constantKey());
		}
		List<String> keys = new ArrayList<>();
		for (int i = 0; i < operation.keyExpressions().size(); i++) {
			String source = operation.keySources().get(i);
			Object value;
			try {
				value = operation.keyExpressions().get(i).getValue(context);
			}
			catch (EvaluationException ex) {
				throw invalid(operation, source, "cannot be evaluated: " + ex.getMessage(), ex);
			}
			Collection<?> values = (value instanceof Collection<?> collection) ? collection
					: (value instanceof Object[] array) ? Arrays.asList(array) : Collections.singletonList(value);
			if (values.isEmpty()) {
				throw invalid(operation, source, "evaluated to an empty collection", null);
			}
			for (Object element : values) {
				if (element == null) {
					throw invalid(operation, source, "evaluated to null", null);
				}
				String key = element.toString();
				if (key.isBlank()) {
					throw invalid(operation, source, "evaluated to a blank string", null);
				}
				keys.add(operation.prefix() + key);
			}
		}
		return keys;
	}

	private static IllegalArgumentException invalid(LockOperation operation, String source, String problem,
			Throwable cause) {
		return new IllegalArgumentException("@DistributedLock on " + operation.describe() + ": key expression '"
				+ source + "' " + problem + "; no lock was taken and the method did not run", cause);
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
