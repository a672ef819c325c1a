package dev.redlock.sample.embedded;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import dev.redlock.test.RedisServerProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EmbeddedRedisEnvironmentPostProcessor}, through real application starts.
 */
class EmbeddedRedisEnvironmentPostProcessorTests {

	@Test
	void withoutRedlockNodesTheNodesShouldBeStartedAndStoppedWithTheContext() {
		EmbeddedRedisNodes nodes;
		List<RedisServerProcess> servers;
		try (ConfigurableApplicationContext context = start("--sample.embedded-redis.nodes=3")) {
			nodes = context.getBean(EmbeddedRedisNodes.class);
			servers = nodes.servers();
			assertThat(servers).hasSize(3).allMatch(RedisServerProcess::isRunning);
			assertThat(context.getEnvironment().getProperty("redlock.nodes"))
				.isEqualTo(String.join(",", nodes.uris()));
			assertThat(servers.get(0).call("PING")).isEqualTo("PONG");
			assertThat(context.getEnvironment().containsProperty("redlock.restart-guard.enabled"))
				.as("the restart guard stays at its default").isFalse();
		}
		assertThat(servers).noneMatch(RedisServerProcess::isRunning);
	}

	@Test
	void withRedlockNodesSetNoNodeShouldBeStarted() {
		try (ConfigurableApplicationContext context = start("--redlock.nodes=redis://127.0.0.1:6390")) {
			assertThat(context.getBeanProvider(EmbeddedRedisNodes.class).getIfAvailable()).isNull();
			assertThat(context.getEnvironment().getProperty("redlock.nodes")).isEqualTo("redis://127.0.0.1:6390");
			assertThat(context.getEnvironment().containsProperty("redlock.restart-guard.enabled")).isFalse();
		}
	}

	@Test
	void withRedlockNodesListedByIndexNoNodeShouldBeStarted() {
		try (ConfigurableApplicationContext context = start("--redlock.nodes[0]=redis://127.0.0.1:6390")) {
			assertThat(context.getBeanProvider(EmbeddedRedisNodes.class).getIfAvailable()).isNull();
		}
	}

	@Test
	void withTheEmbeddedNodesSwitchedOffNoNodeShouldBeStarted() {
		try (ConfigurableApplicationContext context = start("--sample.embedded-redis.enabled=false")) {
			assertThat(context.getBeanProvider(EmbeddedRedisNodes.class).getIfAvailable()).isNull();
			assertThat(context.getEnvironment().containsProperty("redlock.nodes")).isFalse();
		}
	}

	private static ConfigurableApplicationContext start(String... args) {
		return new SpringApplicationBuilder(Empty.class).web(WebApplicationType.NONE).run(args);
	}

	/**
	 * An application without auto-configuration: only the post-processor acts.
	 */
	@Configuration(proxyBeanMethods = false)
	static class Empty {

	}

}
