package dev.redlock.autoconfigure;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.redlock.core.Redlock;
import dev.redlock.protocol.RedisNodeAddress;

/**
 * Auto-configuration of the {@code redlock} actuator endpoint, and of the sanitizing of node
 * passwords in {@code /actuator/configprops} and {@code /actuator/env}.
 */
@AutoConfiguration(after = RedlockAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
public final class RedlockEndpointAutoConfiguration {

	@Bean
	@ConditionalOnBean(Redlock.class)
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	RedlockEndpoint redlockEndpoint(Redlock redlock) {
		return new RedlockEndpoint(redlock);
	}

	@Bean
	SanitizingFunction redlockNodePasswordSanitizer() {
		return (data) -> {
			String key = data.getKey();
			boolean nodes = key.startsWith("redlock.nodes") || key.equals("nodes") || key.startsWith("nodes[");
			if (nodes && data.getValue() instanceof String uris) {
				return data.withValue(redactAll(uris));
			}
			return data;
		};
	}

	/** Masks the password of each URI in a comma-separated list. */
	static String redactAll(String uris) {
		String[] parts = uris.split(",", -1);
		for (int i = 0; i < parts.length; i++) {
			parts[i] = RedisNodeAddress.redact(parts[i]);
		}
		return String.join(",", parts);
	}

}
