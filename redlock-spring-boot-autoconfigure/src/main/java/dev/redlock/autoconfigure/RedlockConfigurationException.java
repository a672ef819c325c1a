package dev.redlock.autoconfigure;

/**
 * A {@code redlock.*} property has a value the starter cannot run with. Carries the property, the
 * problem and how to fix it, for the startup failure report.
 */
public class RedlockConfigurationException extends RedlockStartupException {

	/** The property at fault. */
	private final String property;

	/**
	 * Creates an exception for one property.
	 * @param property the property at fault, such as {@code redlock.nodes[1]}
	 * @param problem what is wrong, naming the value (never a secret)
	 * @param action how to fix it
	 * @param cause the underlying exception, or {@code null}
	 */
	public RedlockConfigurationException(String property, String problem, String action, Throwable cause) {
		super("Invalid property '" + property + "': " + problem, action, cause);
		this.property = property;
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
		return getDescription();
	}

}
