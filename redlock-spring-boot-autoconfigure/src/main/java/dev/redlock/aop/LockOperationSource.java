package dev.redlock.aop;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.expression.AnnotatedElementKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.Expression;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

import dev.redlock.DistributedLock;
import dev.redlock.NotAcquiredPolicy;

/**
 * Finds and parses {@link DistributedLock} on methods, once per method and target class: the key
 * expression is parsed, placeholders resolved and durations converted here, so a call only
 * evaluates the key.
 */
public class LockOperationSource {

	private static final LockOperation NONE = new LockOperation(Object.class.getMethods()[0], List.of(), List.of(),
			"", "", null, "", Duration.ZERO, Duration.ZERO, "", false, null, Duration.ZERO, false,
			NotAcquiredPolicy.THROW, null, LockOperation.ReturnKind.DIRECT);

	private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Mono",
			LockOperationSource.class.getClassLoader());

	private final ExpressionParser parser = new SpelExpressionParser();

	private final Map<AnnotatedElementKey, LockOperation> cache = new ConcurrentHashMap<>(64);

	private final Function<String, String> placeholders;

	private final Duration defaultLeaseTime;

	private final Duration defaultWaitTime;

	private final NotAcquiredPolicy defaultPolicy;

	/**
	 * Creates a source whose default policy is {@link NotAcquiredPolicy#THROW}.
	 * @param placeholders resolves {@code ${…}} in the annotation's name and durations
	 * @param defaultLeaseTime the lease time when the annotation names none
	 * @param defaultWaitTime the wait time when the annotation names none
	 */
	public LockOperationSource(Function<String, String> placeholders, Duration defaultLeaseTime,
			Duration defaultWaitTime) {
		this(placeholders, defaultLeaseTime, defaultWaitTime, NotAcquiredPolicy.THROW);
	}

	/**
	 * Creates a source.
	 * @param placeholders resolves {@code ${…}} in the annotation's name and durations
	 * @param defaultLeaseTime the lease time when the annotation names none
	 * @param defaultWaitTime the wait time when the annotation names none
	 * @param defaultPolicy the policy when the annotation names none
	 */
	public LockOperationSource(Function<String, String> placeholders, Duration defaultLeaseTime,
			Duration defaultWaitTime, NotAcquiredPolicy defaultPolicy) {
		this.placeholders = placeholders;
		this.defaultLeaseTime = defaultLeaseTime;
		this.defaultWaitTime = defaultWaitTime;
		this.defaultPolicy = (defaultPolicy != NotAcquiredPolicy.DEFAULT) ? defaultPolicy : NotAcquiredPolicy.THROW;
	}

	/**
	 * Whether the method, as invoked on the target class, carries {@link DistributedLock}.
	 * @param method the method
	 * @param targetClass the target class, or {@code null}
	 * @return {@code true} if it is annotated
	 */
	public boolean isAnnotated(Method method, Class<?> targetClass) {
		return findAnnotation(method, targetClass) != null;
	}

	/**
	 * The parsed operation of a method.
	 * @param method the method
	 * @param targetClass the target class, or {@code null}
	 * @return the operation, or {@code null} if the method is not annotated
	 * @throws InvalidLockAnnotationException if the annotation is invalid; the message names the
	 * method and the attribute
	 */
	LockOperation getOperation(Method method, Class<?> targetClass) {
		AnnotatedElementKey cacheKey = new AnnotatedElementKey(method, targetClass);
		LockOperation operation = this.cache.get(cacheKey);
		if (operation == null) {
			operation = parse(method, targetClass);
			this.cache.put(cacheKey, (operation != null) ? operation : NONE);
		}
		return (operation != NONE) ? operation : null;
	}

	static DistributedLock findAnnotation(Method method, Class<?> targetClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, (targetClass != null) ? targetClass : method.getDeclaringClass());
		DistributedLock annotation = AnnotatedElementUtils.findMergedAnnotation(specific, DistributedLock.class);
		if (annotation == null && specific != method) {
			annotation = AnnotatedElementUtils.findMergedAnnotation(method, DistributedLock.class);
		}
		return annotation;
	}

	private LockOperation parse(Method method, Class<?> targetClass) {
		DistributedLock annotation = findAnnotation(method, targetClass);
		if (annotation == null) {
			return null;
		}
		String name = resolve(method, "name", annotation.name()).trim();
		Duration leaseTime = duration(method, "leaseTime", annotation.leaseTime(), this.defaultLeaseTime);
		Duration waitTime = duration(method, "waitTime", annotation.waitTime(), this.defaultWaitTime);
		if (leaseTime.isZero() || leaseTime.isNegative()) {
			throw new InvalidLockAnnotationException(method, "leaseTime",
					"leaseTime '" + annotation.leaseTime() + "' must be positive", null);
		}
		if (waitTime.isNegative()) {
			throw new InvalidLockAnnotationException(method, "waitTime",
					"waitTime '" + annotation.waitTime() + "' must not be negative", null);
		}
		Duration maxHoldTime = duration(method, "maxHoldTime", annotation.maxHoldTime(), null);
		if (maxHoldTime != null && (maxHoldTime.isZero() || maxHoldTime.isNegative())) {
			throw new InvalidLockAnnotationException(method, "maxHoldTime",
					"maxHoldTime '" + annotation.maxHoldTime() + "' must be positive", null);
		}
		Duration holdAtLeast = duration(method, "holdAtLeast", annotation.holdAtLeast(), Duration.ZERO);
		if (holdAtLeast.isNegative() || (!annotation.autoRenew() && holdAtLeast.compareTo(leaseTime) > 0)) {
			throw new InvalidLockAnnotationException(method, "holdAtLeast", "holdAtLeast '" + annotation.holdAtLeast()
					+ "' must not be negative, nor exceed the lease time when autoRenew is false", null);
		}
		String methodName = method.getDeclaringClass().getSimpleName() + "." + method.getName();
		String metricName = StringUtils.hasText(name) ? name : methodName;
		List<String> keySources = keySources(annotation);
		List<Expression> keyExpressions = new ArrayList<>(keySources.size());
		for (String keySource : keySources) {
			keyExpressions.add(parseExpression(method, keyAttribute(annotation, keyExpressions.size()), "key expression",
					keySource));
		}
		if (annotation.fencing() && (keySources.size() > 1)) {
			throw new InvalidLockAnnotationException(method, "fencing",
					"fencing tokens are issued for single-key locks only", null);
		}
		Expression condition = StringUtils.hasText(annotation.condition())
				? parseExpression(method, "condition", "condition", annotation.condition().trim()) : null;
		Class<?> target = (targetClass != null) ? targetClass : method.getDeclaringClass();
		NotAcquiredPolicy policy = policy(method, annotation);
		Method fallback = (policy == NotAcquiredPolicy.FALLBACK) ? fallback(annotation, method, target) : null;
		LockOperation.ReturnKind returns = returnKind(method.getReturnType());
		if (policy == NotAcquiredPolicy.SKIP && method.getReturnType().isPrimitive()
				&& method.getReturnType() != void.class) {
			String origin = (annotation.onNotAcquired() == NotAcquiredPolicy.DEFAULT)
					? " (the default from redlock.on-not-acquired)" : "";
			throw new InvalidLockAnnotationException(method, "onNotAcquired", "onNotAcquired = SKIP" + origin
					+ " cannot return a value of type " + method.getReturnType() + "; return a wrapper type or "
					+ "Optional, or use a fallback method", null);
		}
		String prefix = StringUtils.hasText(name) ? name + ":" : "";
		return new LockOperation(method, keyExpressions, keySources, prefix, keySources.isEmpty() ? metricName : null,
				condition, annotation.condition(), leaseTime, waitTime, metricName, annotation.autoRenew(),
				maxHoldTime, holdAtLeast, annotation.fencing(), policy, fallback, returns);
	}

	/** The key expressions as written: {@code key}, then each of {@code keys}, blank ones left out. */
	static List<String> keySources(DistributedLock annotation) {
		List<String> keySources = new ArrayList<>();
		if (StringUtils.hasText(annotation.key())) {
			keySources.add(annotation.key().trim());
		}
		for (String key : annotation.keys()) {
			if (StringUtils.hasText(key)) {
				keySources.add(key.trim());
			}
		}
		return keySources;
	}

	/** The attribute that holds the {@code index}-th of {@link #keySources}. */
	static String keyAttribute(DistributedLock annotation, int index) {
		return (StringUtils.hasText(annotation.key()) && index == 0) ? "key" : "keys";
	}

	private Expression parseExpression(Method method, String attribute, String what, String source) {
		try {
			return this.parser.parseExpression(source);
		}
		catch (ParseException ex) {
			throw new InvalidLockAnnotationException(method, attribute,
					what + " '" + source + "' cannot be parsed: " + ex.getMessage(), ex);
		}
	}

	private NotAcquiredPolicy policy(Method method, DistributedLock annotation) {
		NotAcquiredPolicy policy = annotation.onNotAcquired();
		boolean hasFallback = StringUtils.hasText(annotation.fallback());
		if (policy == NotAcquiredPolicy.DEFAULT) {
			policy = hasFallback ? NotAcquiredPolicy.FALLBACK : this.defaultPolicy;
		}
		if (policy == NotAcquiredPolicy.FALLBACK && !hasFallback) {
			throw new InvalidLockAnnotationException(method, "onNotAcquired",
					"onNotAcquired = FALLBACK needs fallback = \"methodName\"", null);
		}
		if (policy != NotAcquiredPolicy.FALLBACK && hasFallback) {
			throw new InvalidLockAnnotationException(method, "fallback", "fallback '" + annotation.fallback()
					+ "' is set but onNotAcquired is " + policy + "; remove one of them", null);
		}
		return policy;
	}

	private static Method fallback(DistributedLock annotation, Method method, Class<?> target) {
		String fallbackName = annotation.fallback().trim();
		Method fallback = ReflectionUtils.findMethod(target, fallbackName, method.getParameterTypes());
		if (fallback == null) {
			throw new InvalidLockAnnotationException(method, "fallback", "fallback method '" + fallbackName
					+ "' with parameters " + java.util.Arrays.toString(method.getParameterTypes()) + " not found on "
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

	private static LockOperation.ReturnKind returnKind(Class<?> type) {
		if (CompletionStage.class.isAssignableFrom(type) && type.isAssignableFrom(CompletableFuture.class)) {
			return LockOperation.ReturnKind.FUTURE;
		}
		if (REACTOR_PRESENT && type.getName().equals("reactor.core.publisher.Mono")) {
			return LockOperation.ReturnKind.MONO;
		}
		if (REACTOR_PRESENT && type.getName().equals("reactor.core.publisher.Flux")) {
			return LockOperation.ReturnKind.FLUX;
		}
		return LockOperation.ReturnKind.DIRECT;
	}

	private String resolve(Method method, String attribute, String value) {
		if (!StringUtils.hasText(value)) {
			return value;
		}
		String resolved;
		try {
			resolved = this.placeholders.apply(value);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidLockAnnotationException(method, attribute,
					attribute + " '" + value + "' has a placeholder that cannot be resolved: " + ex.getMessage(), ex);
		}
		if (resolved != null && resolved.contains("${")) {
			throw new InvalidLockAnnotationException(method, attribute, attribute + " '" + value
					+ "' has a placeholder that cannot be resolved (resolved to '" + resolved + "'); define the "
					+ "property or give a default, as in ${orders.lock-ttl:30s}", null);
		}
		return resolved;
	}

	private Duration duration(Method method, String attribute, String value, Duration fallback) {
		String resolved = resolve(method, attribute, value);
		if (!StringUtils.hasText(resolved)) {
			return fallback;
		}
		try {
			return DurationStyle.detectAndParse(resolved.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidLockAnnotationException(method, attribute, attribute + " '" + value + "'"
					+ (resolved.equals(value) ? "" : " (resolved to '" + resolved + "')")
					+ " is not a duration; use a value such as \"30s\", \"500ms\" or \"PT1M\"", ex);
		}
	}

}
