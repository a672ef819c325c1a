package dev.redlock.aop;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.springframework.aop.support.AopUtils;
import org.springframework.context.expression.AnnotatedElementKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.Expression;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.standard.SpelExpressionParser;
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

	private final ExpressionParser parser = new SpelExpressionParser();

	private final Map<AnnotatedElementKey, LockOperation> cache = new ConcurrentHashMap<>(64);

	private final AnnotationValues values;

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
		this.values = new AnnotationValues(placeholders);
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
		String name = this.values.resolve(method, "name", annotation.name()).trim();
		Duration leaseTime = this.values.duration(method, "leaseTime", annotation.leaseTime(), this.defaultLeaseTime);
		Duration waitTime = this.values.duration(method, "waitTime", annotation.waitTime(), this.defaultWaitTime);
		if (leaseTime.isZero() || leaseTime.isNegative()) {
			throw new InvalidLockAnnotationException(method, "leaseTime",
					"leaseTime '" + annotation.leaseTime() + "' must be positive", null);
		}
		if (waitTime.isNegative()) {
			throw new InvalidLockAnnotationException(method, "waitTime",
					"waitTime '" + annotation.waitTime() + "' must not be negative", null);
		}
		Duration maxHoldTime = this.values.duration(method, "maxHoldTime", annotation.maxHoldTime(), null);
		if (maxHoldTime != null && (maxHoldTime.isZero() || maxHoldTime.isNegative())) {
			throw new InvalidLockAnnotationException(method, "maxHoldTime",
					"maxHoldTime '" + annotation.maxHoldTime() + "' must be positive", null);
		}
		Duration holdAtLeast = this.values.duration(method, "holdAtLeast", annotation.holdAtLeast(), Duration.ZERO);
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
		NotAcquiredPolicy policy = NotAcquiredHandling.policy(method, annotation, this.defaultPolicy);
		Method fallback = (policy == NotAcquiredPolicy.FALLBACK)
				? NotAcquiredHandling.fallback(annotation, method, target) : null;
		LockOperation.ReturnKind returns = LockOperation.ReturnKind.of(method.getReturnType());
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

}
