package dev.redlock.docs;

import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.redlock.autoconfigure.RedlockConnectionDetails;
import dev.redlock.protocol.RedisNodeAddress;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java example of {@code docs/configuration.md}, as written there (its block is the tagged
 * region of this file; {@code DocumentationExamplesTests} checks that they match). It names hosts
 * such as {@code 10.0.0.1}, so it is checked without connecting: the bean's nodes parse as node
 * URIs. ({@code RedlockConnectionDetailsTests} starts contexts with such a bean on real nodes.)
 */
class ConfigurationExamplesTests {

	@Configuration(proxyBeanMethods = false)
	static class Nodes {

		// tag::connection-details[]
		@Bean
		RedlockConnectionDetails redlockNodes() {
			return RedlockConnectionDetails.of("redis://10.0.0.1:6379", "redis://10.0.0.2:6379", "redis://10.0.0.3:6379");
		}
		// end::connection-details[]

	}

	@Test
	void theConnectionDetailsBeanShouldNameThreeParsableNodes() {
		RedlockConnectionDetails details = new Nodes().redlockNodes();
		assertThat(details.getNodes()).hasSize(3)
			.allSatisfy((uri) -> assertThat(RedisNodeAddress.parse("RedlockConnectionDetails.getNodes()", uri))
				.isNotNull());
		assertThat(details.getSslBundle()).isNull();
	}

}
