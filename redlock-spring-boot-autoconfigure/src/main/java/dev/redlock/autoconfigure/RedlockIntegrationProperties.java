package dev.redlock.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.redlock.integration.RedlockLockRegistry;

/**
 * Settings of the Spring Integration lock registry ({@link RedlockLockRegistry}).
 */
@ConfigurationProperties("redlock.integration")
public class RedlockIntegrationProperties {

	/**
	 * Part of each lock's Redis key between the key prefix and the lock key; also the locks'
	 * name in metrics.
	 */
	private String registryKey = RedlockLockRegistry.DEFAULT_REGISTRY_KEY;

	/**
	 * Default time to live of a lock; redlock.lease-time when unset.
	 */
	private Duration expireAfter;

	/**
	 * Whether held locks are renewed by the engine; leave off for leader election, whose heart
	 * beat extends the lease.
	 */
	private boolean autoRenew;

	/**
	 * The registry key.
	 * @return the registry key
	 */
	public String getRegistryKey() {
		return this.registryKey;
	}

	/**
	 * Sets the registry key.
	 * @param registryKey the registry key
	 */
	public void setRegistryKey(String registryKey) {
		this.registryKey = registryKey;
	}

	/**
	 * The default time to live.
	 * @return the time to live, or {@code null} for the engine's lease time
	 */
	public Duration getExpireAfter() {
		return this.expireAfter;
	}

	/**
	 * Sets the default time to live.
	 * @param expireAfter the time to live
	 */
	public void setExpireAfter(Duration expireAfter) {
		this.expireAfter = expireAfter;
	}

	/**
	 * Whether held locks are renewed.
	 * @return whether held locks are renewed
	 */
	public boolean isAutoRenew() {
		return this.autoRenew;
	}

	/**
	 * Sets whether held locks are renewed.
	 * @param autoRenew whether to renew
	 */
	public void setAutoRenew(boolean autoRenew) {
		this.autoRenew = autoRenew;
	}

}
