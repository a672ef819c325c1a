package dev.redlock.aop;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.springframework.expression.Expression;
import org.springframework.util.ClassUtils;

import dev.redlock.LockRequest;
import dev.redlock.NotAcquiredPolicy;

/**
 * What {@code @DistributedLock} asks of one method, parsed once: the key expressions (or a
 * constant key), the condition, the durations and the policy when the lock is not obtained.
 *
 * @param method the annotated method, for messages
 * @param keyExpressions the parsed key expressions; empty when the key is constant
 * @param keySources the key expressions as written, for messages
 * @param prefix what goes before each evaluated key: the name and a colon, or empty
 * @param constantKey the whole key when there is no key expression
 * @param condition the parsed condition, or {@code null} to always lock
 * @param conditionSource the condition as written
 * @param leaseTime the lease time
 * @param waitTime the wait time
 * @param name the lock's name for metrics: the annotation's name, or the method
 * @param autoRenew whether to renew the lease
 * @param maxHoldTime the longest renewal, or {@code null} for the default
 * @param holdAtLeast the shortest hold
 * @param fencing whether to issue a fencing token
 * @param policy what to do when the lock is not obtained, never {@code DEFAULT}
 * @param fallback the fallback method, or {@code null}
 * @param returns how the method returns its result
 */
record LockOperation(Method method, List<Expression> keyExpressions, List<String> keySources, String prefix,
		String constantKey, Expression condition, String conditionSource, Duration leaseTime, Duration waitTime,
		String name, boolean autoRenew, Duration maxHoldTime, Duration holdAtLeast, boolean fencing,
		NotAcquiredPolicy policy, Method fallback, ReturnKind returns) {

	/** How a locked method delivers its result, which decides how long the lock is held. */
	enum ReturnKind {

		/** The result is complete when the method returns. */
		DIRECT,

		/** A {@code CompletableFuture} or {@code CompletionStage}: held until it completes. */
		FUTURE,

		/** A Reactor {@code Mono}: held from subscription until it terminates or is cancelled. */
		MONO,

		/** A Reactor {@code Flux}: held from subscription until it terminates or is cancelled. */
		FLUX;

		private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Mono",
				ReturnKind.class.getClassLoader());

		/**
		 * How a method declared to return {@code type} delivers its result.
		 * @param type the declared return type
		 * @return the kind
		 */
		static ReturnKind of(Class<?> type) {
			if (CompletionStage.class.isAssignableFrom(type) && type.isAssignableFrom(CompletableFuture.class)) {
				return FUTURE;
			}
			if (REACTOR_PRESENT && type.getName().equals("reactor.core.publisher.Mono")) {
				return MONO;
			}
			if (REACTOR_PRESENT && type.getName().equals("reactor.core.publisher.Flux")) {
				return FLUX;
			}
			return DIRECT;
		}

	}

	/**
	 * The request of one call.
	 * @param keys the evaluated keys, each with the name prefix
	 * @return the request
	 */
	LockRequest request(List<String> keys) {
		return new LockRequest(this.name, keys, this.leaseTime, this.waitTime, this.autoRenew, this.maxHoldTime,
				this.holdAtLeast, this.fencing);
	}

	/**
	 * Describes the method as {@code SimpleClassName.method(ParamTypes)}.
	 * @return the description
	 */
	String describe() {
		StringBuilder text = new StringBuilder(this.method.getDeclaringClass().getSimpleName()).append('.')
			.append(this.method.getName())
			.append('(');
		Class<?>[] types = this.method.getParameterTypes();
		for (int i = 0; i < types.length; i++) {
			text.append((i > 0) ? ", " : "").append(types[i].getSimpleName());
		}
		return text.append(')').toString();
	}

}
