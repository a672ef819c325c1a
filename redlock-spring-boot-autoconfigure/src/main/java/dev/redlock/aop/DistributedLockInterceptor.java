package dev.redlock.aop;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.expression.EvaluationContext;

import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;
import dev.redlock.LockTemplate;

/**
 * Runs methods annotated with {@link dev.redlock.DistributedLock} under their lock: evaluates the
 * condition and the keys, takes the lock through {@link LockTemplate}, proceeds, releases. A method
 * that returns a {@code CompletableFuture}/{@code CompletionStage} holds the lock until the stage
 * completes; one that returns a Reactor {@code Mono}/{@code Flux} holds it from subscription until
 * termination or cancellation.
 */
public class DistributedLockInterceptor implements MethodInterceptor {

	private static final Logger logger = LoggerFactory.getLogger(DistributedLockInterceptor.class);

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
		EvaluationContext context = this.evaluator.context(method, invocation.getArguments(), target);
		if (!this.evaluator.condition(operation, context)) {
			return invocation.proceed();
		}
		LockRequest request = operation.request(this.evaluator.keys(operation, context));
		LockTemplate template = this.lockTemplate.get();
		try {
			return switch (operation.returns()) {
				case FUTURE -> future(template, request, operation, invocation);
				case MONO -> ReactiveLocking.mono(template, request, () -> proceed(invocation),
						(ex) -> notAcquiredLater(operation, invocation, ex));
				case FLUX -> ReactiveLocking.flux(template, request, () -> proceed(invocation),
						(ex) -> notAcquiredLater(operation, invocation, ex));
				case DIRECT -> direct(template, request, operation, invocation);
			};
		}
		catch (CheckedException ex) {
			// the method's or the fallback's own checked exception, thrown as itself
			throw ex.getCause();
		}
	}

	private Object direct(LockTemplate template, LockRequest request, LockOperation operation,
			MethodInvocation invocation) throws Throwable {
		boolean[] started = { false };
		try {
			return template.execute(request, (handle) -> {
				started[0] = true;
				return proceed(invocation);
			});
		}
		catch (LockNotAcquiredException ex) {
			if (started[0]) {
				throw ex;
			}
			return notAcquired(operation, invocation, ex);
		}
	}

	@SuppressWarnings("unchecked")
	private Object future(LockTemplate template, LockRequest request, LockOperation operation,
			MethodInvocation invocation) throws Throwable {
		boolean[] started = { false };
		CompletableFuture<Object> result = template.executeAsync(request, (handle) -> {
			started[0] = true;
			return (CompletionStage<Object>) proceed(invocation);
		});
		if (!started[0] && result.isCompletedExceptionally()) {
			try {
				result.join();
			}
			catch (java.util.concurrent.CompletionException ex) {
				if (ex.getCause() instanceof LockNotAcquiredException notAcquired) {
					return notAcquired(operation, invocation, notAcquired);
				}
			}
		}
		return result;
	}

	private static Object proceed(MethodInvocation invocation) {
		try {
			return invocation.proceed();
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new CheckedException(ex);
		}
	}

	/**
	 * Applies the policy for a reactive method, whose caller already holds the publisher: a
	 * fallback's checked exception becomes the publisher's error, as itself.
	 */
	private Object notAcquiredLater(LockOperation operation, MethodInvocation invocation, LockNotAcquiredException ex) {
		try {
			return notAcquired(operation, invocation, ex);
		}
		catch (CheckedException checked) {
			return ReactiveLocking.error(operation.returns(), checked.getCause());
		}
	}

	/**
	 * Applies the operation's policy when the lock was not obtained. A checked exception of the
	 * fallback leaves as a {@link CheckedException}, which {@link #invoke} unwraps.
	 */
	private Object notAcquired(LockOperation operation, MethodInvocation invocation, LockNotAcquiredException ex) {
		switch (operation.policy()) {
			case SKIP:
				logger.debug("Skipped {}: {}", operation.describe(), ex.getMessage());
				return skipped(operation);
			case FALLBACK:
				logger.debug("Calling fallback {} of {}: {}", operation.fallback().getName(), operation.describe(),
						ex.getMessage());
				try {
					return operation.fallback().invoke(invocation.getThis(), invocation.getArguments());
				}
				catch (InvocationTargetException failure) {
					Throwable cause = failure.getTargetException();
					if (cause instanceof RuntimeException runtime) {
						throw runtime;
					}
					if (cause instanceof Error error) {
						throw error;
					}
					throw new CheckedException(cause);
				}
				catch (IllegalAccessException failure) {
					throw new IllegalStateException("Cannot call fallback " + operation.fallback(), failure);
				}
			default:
				return switch (operation.returns()) {
					case FUTURE -> CompletableFuture.failedFuture(ex);
					case MONO, FLUX -> ReactiveLocking.error(operation.returns(), ex);
					case DIRECT -> throw ex;
				};
		}
	}

	private static Object skipped(LockOperation operation) {
		Class<?> type = operation.method().getReturnType();
		if (type == Optional.class) {
			return Optional.empty();
		}
		return switch (operation.returns()) {
			case FUTURE -> CompletableFuture.completedFuture(null);
			case MONO, FLUX -> ReactiveLocking.empty(operation.returns());
			case DIRECT -> null;
		};
	}

	/** Carries a checked exception of the method through the callback, to be thrown unchanged. */
	static final class CheckedException extends RuntimeException {

		CheckedException(Throwable cause) {
			super(cause.getMessage(), cause, false, false);
		}

	}

}
