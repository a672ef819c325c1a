package dev.redlock.aop;

import java.lang.reflect.Method;
import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;

import dev.redlock.LockTemplate;

/**
 * Runs methods annotated with {@link dev.redlock.DistributedLock} through
 * {@link LockTemplate#execute}: evaluates the key, takes the lock, proceeds, releases.
 */
public class DistributedLockInterceptor implements MethodInterceptor {

	private final LockOperationSource operations;

	private final Supplier<LockTemplate> lockTemplate;

	private final LockKeyEvaluator evaluator;

	/**
	 * Creates an interceptor.
	 * @param operations parses the annotations
	 * @param lockTemplate supplies the template on first use (so that the advisor does not create
	 * it early)
	 * @param beanFactory resolves {@code @bean} references in key expressions, or {@code null}
	 */
	public DistributedLockInterceptor(LockOperationSource operations, Supplier<LockTemplate> lockTemplate,
			BeanFactory beanFactory) {
		this.operations = operations;
		this.lockTemplate = lockTemplate;
		this.evaluator = new LockKeyEvaluator(beanFactory);
	}

	@Override
	public Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target) : null;
		Method method = invocation.getMethod();
		LockOperation operation = this.operations.getOperation(method, targetClass);
		if (operation == null) {
			return invocation.proceed();
		}
		String key = this.evaluator.key(operation, method, invocation.getArguments(), target);
		try {
			return this.lockTemplate.get().execute(operation.request(key), (handle) -> {
				try {
					return invocation.proceed();
				}
				catch (RuntimeException | Error ex) {
					throw ex;
				}
				catch (Throwable ex) {
					throw new CheckedException(ex);
				}
			});
		}
		catch (CheckedException ex) {
			throw ex.getCause();
		}
	}

	/** Carries a checked exception of the method through the callback, to be thrown unchanged. */
	private static final class CheckedException extends RuntimeException {

		CheckedException(Throwable cause) {
			super(cause.getMessage(), cause, false, false);
		}

	}

}
