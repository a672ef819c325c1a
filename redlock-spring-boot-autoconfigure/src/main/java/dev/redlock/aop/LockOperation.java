package dev.redlock.aop;

import java.lang.reflect.Method;
import java.time.Duration;

import org.springframework.expression.Expression;

import dev.redlock.LockRequest;

/**
 * What {@code @DistributedLock} asks of one method, parsed once: the key expression (or a
 * constant key), the namespace and the durations.
 *
 * @param method the annotated method, for messages
 * @param keyExpression the parsed key expression, or {@code null} when the key is constant
 * @param keySource the key expression as written, for messages
 * @param prefix what goes before the evaluated key: the name and a colon, or empty
 * @param constantKey the whole key when there is no key expression
 * @param leaseTime the lease time
 * @param waitTime the wait time
 * @param name the lock's name for metrics: the annotation's name, or the method
 * @param autoRenew whether to renew the lease
 * @param maxHoldTime the longest renewal, or {@code null} for the default
 * @param holdAtLeast the shortest hold
 * @param fencing whether to issue a fencing token
 */
record LockOperation(Method method, Expression keyExpression, String keySource, String prefix, String constantKey,
		Duration leaseTime, Duration waitTime, String name, boolean autoRenew, Duration maxHoldTime,
		Duration holdAtLeast, boolean fencing) {

	/**
	 * The request of one call.
	 * @param key the evaluated key
	 * @return the request
	 */
	LockRequest request(String key) {
		return new LockRequest(this.name, key, this.leaseTime, this.waitTime, this.autoRenew, this.maxHoldTime,
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
