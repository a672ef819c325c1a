package dev.redlock.autoconfigure;

/**
 * A {@code redlock.*} property has a value the starter cannot run with. Carries the property, the
 * problem and how to fix it, for the startup failure report.
 */
public class RedlockConfigurationException extends IllegalStateException {

	/** The property at fault. */
	private final String property;

	/** What is wrong with its value. */
	private final String problem;

	/** How to fix it. */
	private final String action;

	/**
	 * Creates an exception for one property.
	 * @param property the property at fault, such as {@code redlock.nodes[1]}
	 * @param problem what is wrong, naming the value (never a secret)
	 * @param action how to fix it
	 * @param cause the underlying exception, or {@code null}
	 */
	public RedlockConfigurationException(String property, String problem, String action, Throwable cause) {
		super("Invalid property '" + property + "': " + problem + ". " + action, cause);
		this.property = property;
		this.problem = problem;
		this.action = action;
	}

	/**
	 * The property at fault.
	 * @return the property name, such as {@code redlock.lease-time}
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * What is wrong, without the action.
	 * @return the problem, naming the property and value
	 */
	public String getProblem() {
		return "Invalid property '" + this.property + "': " + this.problem;
	}

	/**
	 * How to fix the configuration.
	 * @return the action
	 */
	public String getAction() {
		return this.action;
	}

}
