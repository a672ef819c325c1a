package dev.redlock.autoconfigure;

import java.util.Locale;

import dev.redlock.core.InvalidSettingException;
import dev.redlock.core.RedlockSettings;

/**
 * The engine's settings from {@link RedlockProperties}, with a bad value reported by its property
 * name. Refers to no Jedis type, so that a disabled engine can be set up without Jedis.
 */
final class EngineSettings {

	private EngineSettings() {
	}

	/**
	 * The settings the properties describe.
	 * @param properties the {@code redlock.*} properties
	 * @return the settings
	 * @throws RedlockConfigurationException naming the property at fault
	 */
	static RedlockSettings of(RedlockProperties properties) {
		try {
			return new RedlockSettings(properties.getLeaseTime(), properties.getWaitTime(), properties.getRetryDelay(),
					properties.getRetryJitter(), properties.getNodeTimeout(), properties.getDriftFactor(),
					(properties.getKeyPrefix() != null) ? properties.getKeyPrefix() : "",
					properties.getRenewal().isEnabled(), properties.getRenewal().getMaxHoldTime(),
					properties.getRenewal().isInterruptOnLoss());
		}
		catch (InvalidSettingException ex) {
			throw translate(ex);
		}
	}

	/**
	 * Names the property behind an engine setting, such as {@code leaseTime} →
	 * {@code redlock.lease-time}.
	 * @param ex the engine's complaint
	 * @return the same complaint about the property
	 */
	static RedlockConfigurationException translate(InvalidSettingException ex) {
		String setting = ex.getSetting().equals("maxHoldTime") ? "renewal.maxHoldTime" : ex.getSetting();
		String property = "redlock." + kebab(setting);
		return new RedlockConfigurationException(property, "value '" + ex.getValue() + "' " + ex.getRequirement(),
				"Fix " + property + " in your configuration (application.yml or application.properties).", ex);
	}

	/** {@code holdOut} → {@code hold-out}. */
	static String kebab(String name) {
		return name.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
	}

}
