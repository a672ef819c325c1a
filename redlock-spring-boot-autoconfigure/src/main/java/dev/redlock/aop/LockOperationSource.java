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
	 * @throws IllegalStateException if the annotation is invalid; the message names the method
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

	private static DistributedLock findAnnotation(Method method, Class<?> targetClass) {
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
		String where = "@DistributedLock on " + method.getDeclaringClass().getName() + "." + method.getName();
		String name = resolve(annotation.name()).trim();
		Duration leaseTime = duration(where, "leaseTime", annotation.leaseTime(), this.defaultLeaseTime);
		Duration waitTime = duration(where, "waitTime", annotation.waitTime(), this.defaultWaitTime);
		if (leaseTime.isZero() || leaseTime.isNegative()) {
			throw new IllegalStateException(where + ": leaseTime '" + annotation.leaseTime() + "' must be positive");
		}
		if (waitTime.isNegative()) {
			throw new IllegalStateException(where + ": waitTime '" + annotation.waitTime() + "' must not be negative");
		}
		Duration maxHoldTime = duration(where, "maxHoldTime", annotation.maxHoldTime(), null);
		if (maxHoldTime != null && (maxHoldTime.isZero() || maxHoldTime.isNegative())) {
			throw new IllegalStateException(where + ": maxHoldTime '" + annotation.maxHoldTime() + "' must be positive");
		}
		Duration holdAtLeast = duration(where, "holdAtLeast", annotation.holdAtLeast(), Duration.ZERO);
		if (holdAtLeast.isNegative() || (!annotation.autoRenew() && holdAtLeast.compareTo(leaseTime) > 0)) {
			throw new IllegalStateException(where + ": holdAtLeast '" + annotation.holdAtLeast()
					+ "' must not be negative, nor exceed the lease time when autoRenew is false");
		}
		String methodName = method.getDeclaringClass().getSimpleName() + "." + method.getName();
		String metricName = StringUtils.hasText(name) ? name : methodName;
		List<String> keySources = new ArrayList<>();
		if (StringUtils.hasText(annotation.key())) {
			keySources.add(annotation.key().trim());
		}
		for (String key : annotation.keys()) {
			if (StringUtils.hasText(key)) {
				keySources.add(key.trim());
			}
		}
		List<Expression> keyExpressions = new ArrayList<>(keySources.size());
		for (String keySource : keySources) {
			keyExpressions.add(parseExpression(where, "key expression", keySource));
		}
		if (annotation.fencing() && (keySources.size() > 1)) {
			throw new IllegalStateException(where + ": fencing tokens are issued for single-key locks only");
		}
		Expression condition = StringUtils.hasText(annotation.condition())
				? parseExpression(where, "condition", annotation.condition().trim()) : null;
		Class<?> target = (targetClass != null) ? targetClass : method.getDeclaringClass();
		NotAcquiredPolicy policy = policy(where, annotation);
		Method fallback = (policy == NotAcquiredPolicy.FALLBACK) ? fallback(where, annotation, method, target) : null;
		LockOperation.ReturnKind returns = returnKind(method.getReturnType());
		if (policy == NotAcquiredPolicy.SKIP && method.getReturnType().isPrimitive()
				&& method.getReturnType() != void.class) {
			throw new IllegalStateException(where + ": onNotAcquired = SKIP cannot return a value of type "
					+ method.getReturnType() + "; return a wrapper type or Optional, or use a fallback method");
		}
		String prefix = StringUtils.hasText(name) ? name + ":" : "";
		return new LockOperation(method, keyExpressions, keySources, prefix, keySources.isEmpty() ? metricName : null,
				condition, annotation.condition(), leaseTime, waitTime, metricName, annotation.autoRenew(),
				maxHoldTime, holdAtLeast, annotation.fencing(), policy, fallback, returns);
	}

	private Expression parseExpression(String where, String what, String source) {
		try {
			return this.parser.parseExpression(source);
		}
		catch (ParseException ex) {
			throw new IllegalStateException(where + ": " + what + " '" + source + "' cannot be parsed: "
					+ ex.getMessage(), ex);
		}
	}

	private NotAcquiredPolicy policy(String where, DistributedLock annotation) {
		NotAcquiredPolicy policy = annotation.onNotAcquired();
		boolean hasFallback = StringUtils.hasText(annotation.fallback());
		if (policy == NotAcquiredPolicy.DEFAULT) {
			policy = hasFallback ? NotAcquiredPolicy.FALLBACK : this.defaultPolicy;
		}
		if (policy == NotAcquiredPolicy.FALLBACK && !hasFallback) {
			throw new IllegalStateException(where + ": onNotAcquired = FALLBACK needs fallback = \"methodName\"");
		}
		if (policy != NotAcquiredPolicy.FALLBACK && hasFallback) {
			throw new IllegalStateException(where + ": fallback '" + annotation.fallback() + "' is set but onNotAcquired is "
					+ policy + "; remove one of them");
		}
		return policy;
	}

	private static Method fallback(String where, DistributedLock annotation, Method method, Class<?> target) {
		String fallbackName = annotation.fallback().trim();
		Method fallback = ReflectionUtils.findMethod(target, fallbackName, method.getParameterTypes());
		if (fallback == null) {
			throw new IllegalStateException(where + ": fallback method '" + fallbackName + "' with parameters "
					+ java.util.Arrays.toString(method.getParameterTypes()) + " not found on " + target.getName());
		}
		if (!ClassUtils.isAssignable(method.getReturnType(), fallback.getReturnType())) {
			throw new IllegalStateException(where + ": fallback method '" + fallbackName + "' returns "
					+ fallback.getReturnType().getName() + ", which cannot stand for " + method.getReturnType().getName());
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

	private String resolve(String value) {
		return StringUtils.hasText(value) ? this.placeholders.apply(value) : value;
	}

	private Duration duration(String where, String attribute, String value, Duration fallback) {
		String resolved = resolve(value);
		if (!StringUtils.hasText(resolved)) {
			return fallback;
		}
		try {
			return DurationStyle.detectAndParse(resolved.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException(where + ": " + attribute + " '" + value + "'"
					+ (resolved.equals(value) ? "" : " (resolved to '" + resolved + "')")
					+ " is not a duration; use a value such as \"30s\", \"500ms\" or \"PT1M\"", ex);
		}
	}

}
