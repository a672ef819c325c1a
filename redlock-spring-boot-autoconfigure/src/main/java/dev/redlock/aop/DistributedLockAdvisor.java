package dev.redlock.aop;

import java.lang.reflect.Method;

import org.aopalliance.aop.Advice;
import org.springframework.aop.ClassFilter;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;

/**
 * Applies a {@link DistributedLockInterceptor} to every method that carries
 * {@link dev.redlock.DistributedLock}, directly or as a meta-annotation.
 *
 * <p>Its order decides how it nests with other advice: the lower the order, the further outside.
 * With the default order it runs outside {@code @Transactional}, so the lock is taken before the
 * transaction begins and released after it commits or rolls back.
 */
public class DistributedLockAdvisor extends AbstractPointcutAdvisor {

	private final transient DistributedLockInterceptor interceptor;

	private final transient Pointcut pointcut;

	private final transient LockOperationSource operations;

	/**
	 * Creates an advisor.
	 * @param operations finds the annotated methods
	 * @param interceptor the advice
	 * @param order the advisor's order
	 */
	public DistributedLockAdvisor(LockOperationSource operations, DistributedLockInterceptor interceptor, int order) {
		this.interceptor = interceptor;
		this.operations = operations;
		this.pointcut = new StaticMethodMatcherPointcut() {

			@Override
			public boolean matches(Method method, Class<?> targetClass) {
				return operations.isAnnotated(method, targetClass);
			}

			@Override
			public ClassFilter getClassFilter() {
				return (type) -> !type.getName().startsWith("java.");
			}

		};
		setOrder(order);
	}

	@Override
	public Pointcut getPointcut() {
		return this.pointcut;
	}

	@Override
	public Advice getAdvice() {
		return this.interceptor;
	}

	/**
	 * The source that finds and parses the annotations this advisor applies to, for checking them
	 * at startup with the same placeholders and defaults.
	 * @return the operation source
	 */
	public LockOperationSource getOperationSource() {
		return this.operations;
	}

}
