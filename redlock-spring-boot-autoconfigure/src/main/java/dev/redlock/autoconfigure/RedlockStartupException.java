package dev.redlock.autoconfigure;

/**
 * The starter cannot run the application safely as configured: a missing or too old library, an
 * invalid {@code @DistributedLock}, a bean whose locked methods would run without a lock, or a bad
 * {@code redlock.*} property ({@link RedlockConfigurationException}). Carries what is wrong and how
 * to fix it, for the startup failure report.
 */
public class RedlockStartupException extends IllegalStateException {

	/** What is wrong. */
	private final String description;

	/** How to fix it. */
	private final String action;

	/**
	 * Creates an exception.
	 * @param description what is wrong, naming the library, bean, method or property (never a
	 * secret)
	 * @param action how to fix it
	 * @param cause the underlying exception, or {@code null}
	 */
	public RedlockStartupException(String description, String action, Throwable cause) {
		super(description + ". " + action, cause);
		this.description = description;
		this.action = action;
	}

	/**
	 * What is wrong, without the action.
	 * @return the description
	 */
	public String getDescription() {
		return this.description;
	}

	/**
	 * How to fix it.
	 * @return the action
	 */
	public String getAction() {
		return this.action;
	}

}
