package dev.redlock.aop;

import java.lang.reflect.Method;
import java.util.Arrays;

import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

import dev.redlock.DistributedLock;
import dev.redlock.NotAcquiredPolicy;

/**
 * Decides from a lock annotation what a method does when its lock is not obtained: the policy, and
 * for {@link NotAcquiredPolicy#FALLBACK} the fallback method, each checked against the method.
 */
final class NotAcquiredHandling {

	private NotAcquiredHandling() {
	}

	/**
	 * The policy of a method: the annotation's, else {@code FALLBACK} when a fallback is named, else
	 * the default.
	 * @param method the annotated method
	 * @param annotation its annotation
	 * @param defaultPolicy the policy when the annotation names none, never {@code DEFAULT}
	 * @return the policy, never {@code DEFAULT}
	 * @throws InvalidLockAnnotationException if the policy and the fallback disagree, or the policy
	 * is {@code SKIP} on a method that returns a primitive value
	 */
	static NotAcquiredPolicy policy(Method method, DistributedLock annotation, NotAcquiredPolicy defaultPolicy) {
		NotAcquiredPolicy policy = annotation.onNotAcquired();
		boolean hasFallback = StringUtils.hasText(annotation.fallback());
		if (policy == NotAcquiredPolicy.DEFAULT) {
			policy = hasFallback ? NotAcquiredPolicy.FALLBACK : defaultPolicy;
		}
		if (policy == NotAcquiredPolicy.FALLBACK && !hasFallback) {
			throw new InvalidLockAnnotationException(method, "onNotAcquired",
					"onNotAcquired = FALLBACK needs fallback = \"methodName\"", null);
		}
		if (policy != NotAcquiredPolicy.FALLBACK && hasFallback) {
			throw new InvalidLockAnnotationException(method, "fallback", "fallback '" + annotation.fallback()
					+ "' is set but onNotAcquired is " + policy + "; remove one of them", null);
		}
		if (policy == NotAcquiredPolicy.SKIP && method.getReturnType().isPrimitive()
				&& method.getReturnType() != void.class) {
			String origin = (annotation.onNotAcquired() == NotAcquiredPolicy.DEFAULT)
					? " (the default from redlock.on-not-acquired)" : "";
			throw new InvalidLockAnnotationException(method, "onNotAcquired", "onNotAcquired = SKIP" + origin
					+ " cannot return a value of type " + method.getReturnType() + "; return a wrapper type or "
					+ "Optional, or use a fallback method", null);
		}
		return policy;
	}

	/**
	 * The fallback method the annotation names: on the target, with the method's parameters and a
	 * return type that can stand for the method's.
	 * @param annotation the annotation
	 * @param method the annotated method
	 * @param target the class the method is invoked on
	 * @return the fallback, made accessible
	 * @throws InvalidLockAnnotationException if there is no such method or its return type does not fit
	 */
	static Method fallback(DistributedLock annotation, Method method, Class<?> target) {
		String fallbackName = annotation.fallback().trim();
		Method fallback = ReflectionUtils.findMethod(target, fallbackName, method.getParameterTypes());
		if (fallback == null) {
			throw new InvalidLockAnnotationException(method, "fallback", "fallback method '" + fallbackName
					+ "' with parameters " + Arrays.toString(method.getParameterTypes()) + " not found on "
					+ target.getName(), null);
		}
		if (!ClassUtils.isAssignable(method.getReturnType(), fallback.getReturnType())) {
			throw new InvalidLockAnnotationException(method, "fallback", "fallback method '" + fallbackName
					+ "' returns " + fallback.getReturnType().getName() + ", which cannot stand for "
					+ method.getReturnType().getName(), null);
		}
		ReflectionUtils.makeAccessible(fallback);
		return fallback;
	}

}
