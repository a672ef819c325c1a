package dev.redlock.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import dev.redlock.core.Redlock;

/**
 * Auto-configuration of the {@code redlock} health indicator; switch it off with
 * {@code management.health.redlock.enabled=false}.
 */
@AutoConfiguration(after = RedlockAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(Redlock.class)
@ConditionalOnEnabledHealthIndicator("redlock")
public final class RedlockHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "redlockHealthIndicator")
	RedlockHealthIndicator redlockHealthIndicator(Redlock redlock) {
		return new RedlockHealthIndicator(redlock);
	}

}
