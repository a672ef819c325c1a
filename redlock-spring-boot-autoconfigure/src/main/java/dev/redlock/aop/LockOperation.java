package dev.redlock.aop;

import java.lang.reflect.Method;
import java.time.Duration;

import org.springframework.expression.Expression;

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
 */
record LockOperation(Method method, Expression keyExpression, String keySource, String prefix, String constantKey,
		Duration leaseTime, Duration waitTime) {

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
