package dev.redlock.aop;

import java.lang.reflect.Method;

/**
 * A {@link dev.redlock.DistributedLock @DistributedLock} cannot be used as written: an attribute
 * that does not parse, a duration that is not one, a fallback that does not fit, a policy the
 * return type cannot honour. Thrown when the annotation is first read, which the starter does for
 * every bean at startup.
 */
public class InvalidLockAnnotationException extends IllegalStateException {

	private final transient Method method;

	/** The attribute at fault. */
	private final String attribute;

	/** What is wrong with it. */
	private final String problem;

	/**
	 * Creates an exception.
	 * @param method the annotated method
	 * @param attribute the attribute at fault, such as {@code leaseTime} or {@code key}
	 * @param problem what is wrong with it, starting with the attribute, such as
	 * {@code leaseTime 'soon' is not a duration}
	 * @param cause the underlying exception, or {@code null}
	 */
	public InvalidLockAnnotationException(Method method, String attribute, String problem, Throwable cause) {
		super("@DistributedLock on " + method.getDeclaringClass().getName() + "." + method.getName() + ": " + problem,
				cause);
		this.method = method;
		this.attribute = attribute;
		this.problem = problem;
	}

	/**
	 * The annotated method.
	 * @return the method
	 */
	public Method getMethod() {
		return this.method;
	}

	/**
	 * The attribute at fault.
	 * @return the attribute's name
	 */
	public String getAttribute() {
		return this.attribute;
	}

	/**
	 * What is wrong, without the method.
	 * @return the problem
	 */
	public String getProblem() {
		return this.problem;
	}

}
