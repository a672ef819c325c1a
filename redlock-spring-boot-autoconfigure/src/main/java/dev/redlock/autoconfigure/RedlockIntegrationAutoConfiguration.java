package dev.redlock.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.support.locks.LockRegistry;

import dev.redlock.core.Redlock;
import dev.redlock.integration.RedlockLockRegistry;

/**
 * Auto-configuration of a Spring Integration {@link LockRegistry} on the Redlock engine, when
 * Spring Integration is on the classpath and the application defines no {@code LockRegistry} of
 * its own.
 */
@AutoConfiguration(after = RedlockAutoConfiguration.class)
@ConditionalOnClass(LockRegistry.class)
@ConditionalOnBean(Redlock.class)
@EnableConfigurationProperties(RedlockIntegrationProperties.class)
public final class RedlockIntegrationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(LockRegistry.class)
	RedlockLockRegistry redlockLockRegistry(Redlock redlock, RedlockIntegrationProperties properties) {
		RedlockLockRegistry registry = new RedlockLockRegistry(redlock, properties.getRegistryKey(),
				(properties.getExpireAfter() != null) ? properties.getExpireAfter() : redlock.settings().leaseTime());
		registry.setAutoRenew(properties.isAutoRenew());
		return registry;
	}

}
