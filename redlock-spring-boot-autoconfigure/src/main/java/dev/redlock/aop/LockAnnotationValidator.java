package dev.redlock.aop;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.springframework.aop.support.AopUtils;

import dev.redlock.DistributedLock;

/**
 * Checks a method's {@link DistributedLock} as far as it can be judged without calling the
 * method: the attributes parse (expressions, durations, placeholders), the fallback and the policy
 * fit the method, every {@code #name} in a key or condition is something the call will provide,
 * every {@code @bean} exists. Any lease of at least a millisecond is fine: one longer than the
 * restart guard's hold-out is kept alive by the engine. What only a call can tell (a {@code null}
 * or blank key) is left to the call.
 */
public final class LockAnnotationValidator {

	private final LockOperationSource operations;

	private final LockExpressionCheck expressions;

	/**
	 * Creates a validator.
	 * @param operations parses the annotations, as the advisor does
	 * @param beanExists whether a bean of a name exists, for {@code @name} references in
	 * expressions; {@code null} to not check them
	 */
	public LockAnnotationValidator(LockOperationSource operations, Predicate<String> beanExists) {
		this.operations = operations;
		this.expressions = new LockExpressionCheck(beanExists);
	}

	/**
	 * What is wrong with one attribute of one annotation.
	 *
	 * @param method the annotated method
	 * @param attribute the attribute, such as {@code key} or {@code leaseTime}
	 * @param problem what is wrong, naming the value
	 */
	public record Problem(Method method, String attribute, String problem) {
	}

	/**
	 * The problems of a method's annotation.
	 * @param method the method
	 * @param targetClass the class of the bean it is called on
	 * @param holdOut ignored: a lease longer than the restart guard's hold-out is kept alive by the
	 * engine, so no lease is too long
	 * @return the problems, empty when the method is fine or not annotated
	 * @deprecated the hold-out no longer limits the lease; use {@link #validate(Method, Class)}
	 */
	@Deprecated(since = "0.1.0")
	public List<Problem> validate(Method method, Class<?> targetClass, Duration holdOut) {
		return validate(method, targetClass);
	}

	/**
	 * The problems of a method's annotation.
	 * @param method the method
	 * @param targetClass the class of the bean it is called on
	 * @return the problems, empty when the method is fine or not annotated
	 */
	public List<Problem> validate(Method method, Class<?> targetClass) {
		DistributedLock annotation = LockOperationSource.findAnnotation(method, targetClass);
		if (annotation == null) {
			return List.of();
		}
		LockOperation operation;
		try {
			operation = this.operations.getOperation(method, targetClass);
		}
		catch (InvalidLockAnnotationException ex) {
			return List.of(new Problem(method, ex.getAttribute(), ex.getProblem()));
		}
		List<Problem> problems = new ArrayList<>();
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		Method[] methods = (specific != method) ? new Method[] { specific, method } : new Method[] { method };
		for (int i = 0; i < operation.keyExpressions().size(); i++) {
			String attribute = LockOperationSource.keyAttribute(annotation, i);
			for (String problem : this.expressions.problems(operation.keyExpressions().get(i), methods)) {
				problems.add(new Problem(method, attribute,
						"key expression '" + operation.keySources().get(i) + "': " + problem));
			}
		}
		if (operation.condition() != null) {
			for (String problem : this.expressions.problems(operation.condition(), methods)) {
				problems.add(new Problem(method, "condition",
						"condition '" + operation.conditionSource().trim() + "': " + problem));
			}
		}
		return problems;
	}

}
