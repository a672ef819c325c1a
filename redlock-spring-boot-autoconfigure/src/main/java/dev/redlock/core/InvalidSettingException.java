package dev.redlock.core;

/**
 * A setting of the engine has a value it cannot work with. The message names the setting, the
 * value and what would be accepted.
 */
public class InvalidSettingException extends IllegalArgumentException {

	/** The setting's name. */
	private final String setting;

	private final transient Object value;

	/** What a valid value looks like. */
	private final String requirement;

	/**
	 * Creates an exception for one setting.
	 * @param setting the setting's name, such as {@code leaseTime} or {@code nodes[2]}
	 * @param value the rejected value (must not be a secret)
	 * @param requirement what a valid value looks like, as a sentence
	 */
	public InvalidSettingException(String setting, Object value, String requirement) {
		super("Invalid " + setting + " '" + value + "': " + requirement);
		this.setting = setting;
		this.value = value;
		this.requirement = requirement;
	}

	/**
	 * The name of the setting at fault.
	 * @return the setting, such as {@code leaseTime}
	 */
	public String getSetting() {
		return this.setting;
	}

	/**
	 * What a valid value looks like.
	 * @return the requirement, as a sentence without subject, such as "must be positive"
	 */
	public String getRequirement() {
		return this.requirement;
	}

	/**
	 * The rejected value.
	 * @return the value
	 */
	public Object getValue() {
		return this.value;
	}

}
