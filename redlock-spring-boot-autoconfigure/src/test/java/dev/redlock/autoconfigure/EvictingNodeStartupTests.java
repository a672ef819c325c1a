package dev.redlock.autoconfigure;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.redlock.test.RedisServerProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node that may evict lock keys ({@code maxmemory} with a policy other than
 * {@code noeviction}) stops the startup with a report naming the node, the setting and the fix,
 * like a replica; with {@code redlock.allow-evicting-nodes=true} the application starts, warns,
 * and the health details show it. On real Redis nodes.
 */
@ExtendWith(OutputCaptureExtension.class)
class EvictingNodeStartupTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedlockAutoConfiguration.class, RedlockHealthAutoConfiguration.class))
		.withPropertyValues("redlock.node-timeout=300ms", "redlock.wait-time=0s");

	@Test
	void evictingNodeShouldStopTheStartupWithAReportNamingTheNodeTheSettingAndTheFix() {
		try (RedisServerProcess n0 = RedisServerProcess.start(); RedisServerProcess n1 = RedisServerProcess.start(
				"--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru");
				RedisServerProcess n2 = RedisServerProcess.start()) {
			this.runner.withPropertyValues("redlock.nodes=" + n0.uri() + "," + n1.uri() + "," + n2.uri())
				.run((context) -> {
					assertThat(context.getStartupFailure()).rootCause()
						.isInstanceOf(RedlockConfigurationException.class);
					FailureAnalysis analysis = new RedlockConfigurationFailureAnalyzer()
						.analyze(context.getStartupFailure());
					assertThat(analysis.getDescription()).contains("redlock.nodes[1]", "127.0.0.1:" + n1.port(),
							"may evict lock keys", "maxmemory-policy allkeys-lru");
					assertThat(analysis.getAction()).contains("CONFIG SET maxmemory-policy noeviction",
							"redlock.allow-evicting-nodes=true");
				});
		}
	}

	@Test
	void everyVolatilePolicyShouldCountAsEvicting() {
		try (RedisServerProcess n0 = RedisServerProcess.start("--maxmemory", "64mb", "--maxmemory-policy",
				"volatile-ttl")) {
			this.runner.withPropertyValues("redlock.nodes=" + n0.uri())
				.run((context) -> assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("maxmemory-policy volatile-ttl"));
		}
	}

	@Test
	void allowedEvictingNodeShouldStartWithAWarningAndShowInHealth(CapturedOutput output) {
		try (RedisServerProcess n0 = RedisServerProcess.start("--maxmemory", "64mb", "--maxmemory-policy",
				"allkeys-lru")) {
			this.runner.withPropertyValues("redlock.nodes=" + n0.uri(), "redlock.allow-evicting-nodes=true")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					Health health = context.getBean(RedlockHealthIndicator.class).health();
					assertThat(health.getStatus()).isEqualTo(Status.UP);
					@SuppressWarnings("unchecked")
					Map<String, Object> node = ((Map<String, Map<String, Object>>) health.getDetails().get("nodes"))
						.get("127.0.0.1:" + n0.port());
					assertThat(node).containsEntry("maxmemoryPolicy", "allkeys-lru").containsKey("evictsKeys");
					assertThat(output.getAll()).contains("Redlock node 127.0.0.1:" + n0.port() + " may evict lock keys",
							"maxmemory-policy allkeys-lru");
				});
		}
	}

	@Test
	void nodeWithoutMaxmemoryShouldStartAsBefore() {
		try (RedisServerProcess n0 = RedisServerProcess.start("--maxmemory-policy", "allkeys-lru")) {
			this.runner.withPropertyValues("redlock.nodes=" + n0.uri()).run((context) -> {
				assertThat(context).hasNotFailed();
				Health health = context.getBean(RedlockHealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.UP);
			});
		}
	}

}
