package dev.redlock.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.redlock.DistributedLock;
import dev.redlock.LockTemplate;
import dev.redlock.aop.DistributedLockAdvisor;
import dev.redlock.aop.DistributedLockInterceptor;
import dev.redlock.aop.LockOperationSource;
import dev.redlock.core.Redlock;
import dev.redlock.core.RedlockSettings;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.core.NodeExchange;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class RedlockAutoConfigurationTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class))
		.withPropertyValues("redlock.restart-guard.enabled=false");

	private ApplicationContextRunner withNodes() {
		return this.runner.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()));
	}

	@Test
	void defaultsShouldCreateEngineTemplateAndAdvisor() {
		withNodes().run((context) -> {
			assertThat(context).hasSingleBean(Redlock.class)
				.hasSingleBean(LockTemplate.class)
				.hasSingleBean(DistributedLockAdvisor.class);
			Redlock redlock = context.getBean(Redlock.class);
			assertThat(redlock.nodes()).hasSize(3);
			assertThat(redlock.quorum()).isEqualTo(2);
			assertThat(redlock.settings()).isEqualTo(RedlockSettings.defaults());
			assertThat(context.getBean(DistributedLockAdvisor.class).getOrder())
				.isEqualTo(RedlockProperties.DEFAULT_ADVISOR_ORDER);
			LockTemplate template = context.getBean(LockTemplate.class);
			String key = template.execute("k", (handle) -> handle.key());
			assertThat(key).isEqualTo("redlock:k");
		});
	}

	@Test
	void propertyDefaultsShouldMatchTheEngineDefaults() {
		assertThat(EngineSettings.of(new RedlockProperties())).isEqualTo(RedlockSettings.defaults());
	}

	@Test
	void propertiesShouldReachTheEngine() {
		withNodes().withPropertyValues("redlock.lease-time=10s", "redlock.wait-time=0", "redlock.retry-delay=5ms",
				"redlock.retry-jitter=1ms", "redlock.node-timeout=20ms", "redlock.drift-factor=0.05",
				"redlock.key-prefix=app:", "redlock.advisor-order=7")
			.run((context) -> {
				assertThat(context.getBean(Redlock.class).settings()).isEqualTo(new RedlockSettings(Duration.ofSeconds(10),
						Duration.ZERO, Duration.ofMillis(5), Duration.ofMillis(1), Duration.ofMillis(20), 0.05, "app:"));
				assertThat(context.getBean(DistributedLockAdvisor.class).getOrder()).isEqualTo(7);
			});
	}

	@Test
	void callerReadsAnswersShouldBeOnByDefaultAndSwitchOff() {
		withNodes().run((context) -> assertThat(context.getBean(Redlock.class).nodes())
			.allSatisfy((node) -> assertThat(node.capability(NodeExchange.class)).isPresent()));
		withNodes().withPropertyValues("redlock.caller-reads-answers=false")
			.run((context) -> assertThat(context.getBean(Redlock.class).nodes())
				.allSatisfy((node) -> assertThat(node.capability(NodeExchange.class)).as("every call on I/O threads")
					.isEmpty()));
	}

	@Test
	void userDefinedEngineShouldBeUsed() {
		withNodes().withUserConfiguration(UserEngine.class).run((context) -> {
			assertThat(context).hasSingleBean(Redlock.class);
			assertThat(context.getBean(Redlock.class).settings().keyPrefix()).isEqualTo("mine:");
			assertThat(context.getBean(LockTemplate.class).redlock()).isSameAs(context.getBean(Redlock.class));
		});
	}

	@Test
	void userDefinedTemplateShouldBeUsed() {
		withNodes().withUserConfiguration(UserTemplate.class).run((context) -> {
			assertThat(context).hasSingleBean(LockTemplate.class);
			assertThat(context.getBean(LockTemplate.class)).isInstanceOf(UserTemplate.CustomTemplate.class);
		});
	}

	@Test
	void userDefinedAdvisorShouldBeUsed() {
		withNodes().withUserConfiguration(UserAdvisor.class).run((context) -> {
			assertThat(context).hasSingleBean(DistributedLockAdvisor.class);
			assertThat(context.getBean(DistributedLockAdvisor.class).getOrder()).isEqualTo(42);
		});
	}

	@Test
	void disabledShouldKeepEveryBeanAndLeaveMethodsUnlocked() {
		this.runner.withPropertyValues("redlock.enabled=false")
			.withUserConfiguration(Annotated.class)
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(Redlock.class)
					.hasSingleBean(LockTemplate.class)
					.hasSingleBean(DistributedLockAdvisor.class);
				assertThat(context.getBean(Redlock.class).isEnabled()).isFalse();
				assertThat(context.getBean(Annotated.Job.class).run()).isEqualTo("ran");
			});
	}

	@Test
	void noNodesShouldFailStartupNamingTheProperty() {
		assertStartupFailure(this.runner, "redlock.nodes", "no Redis node is configured", "redlock.enabled=false");
	}

	@Test
	void malformedUriShouldFailStartupNamingTheEntryWithoutThePassword() {
		assertStartupFailure(this.runner.withPropertyValues("redlock.nodes=redis://127.0.0.1:1,http://:s3cret@host:6379"),
				"redlock.nodes[1]", "must start with redis:// or rediss://", "redlock.nodes");
		this.runner.withPropertyValues("redlock.nodes=redis://:s3cret@host:notaport")
			.run((context) -> assertThat(context.getStartupFailure()).isNotNull()
				.satisfies((failure) -> assertThat(stackText(failure)).doesNotContain("s3cret")));
	}

	@Test
	void sameNodeTwiceShouldFailStartup() {
		assertStartupFailure(
				this.runner.withPropertyValues("redlock.nodes=redis://Localhost:7001,redis://host2:7001,redis://localhost:7001/0"),
				"redlock.nodes[2]", "already listed as redlock.nodes[0]", "List each Redis master once");
	}

	@Test
	void nonPositiveDurationsShouldFailStartup() {
		assertStartupFailure(withNodes().withPropertyValues("redlock.lease-time=0s"), "redlock.lease-time",
				"must be a positive duration", "Fix redlock.lease-time");
		assertStartupFailure(withNodes().withPropertyValues("redlock.node-timeout=-5ms"), "redlock.node-timeout",
				"must be a positive duration", "Fix redlock.node-timeout");
		assertStartupFailure(withNodes().withPropertyValues("redlock.wait-time=-1s"), "redlock.wait-time",
				"must be zero or a positive duration", "Fix redlock.wait-time");
		assertStartupFailure(withNodes().withPropertyValues("redlock.retry-delay=-1ms"), "redlock.retry-delay",
				"must be zero or a positive duration", "Fix redlock.retry-delay");
		assertStartupFailure(withNodes().withPropertyValues("redlock.node-timeout=30s"), "redlock.node-timeout",
				"far below the lease time", "Fix redlock.node-timeout");
	}

	@Test
	void holdOutNotLongerThanTheNodeTimeoutShouldFailStartup() {
		assertStartupFailure(withNodes().withPropertyValues("redlock.restart-guard.enabled=true",
				"redlock.restart-guard.hold-out=100ms", "redlock.node-timeout=100ms"), "redlock.restart-guard.hold-out",
				"not longer than redlock.node-timeout", "well above the node timeout");
	}

	@Test
	void holdOutShorterThanTheLeaseTimeShouldStart() {
		// no node is told a TTL above the hold-out; the longer lease is kept alive by renewal
		withNodes().withPropertyValues("redlock.restart-guard.enabled=true", "redlock.restart-guard.hold-out=10s",
				"redlock.lease-time=30s")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void driftFactorOfOneOrMoreShouldFailStartup() {
		assertStartupFailure(withNodes().withPropertyValues("redlock.drift-factor=1"), "redlock.drift-factor",
				"below 1", "Fix redlock.drift-factor");
	}

	@Test
	void evenNodeCountShouldStartButWarn(CapturedOutput output) {
		this.runner.withPropertyValues("redlock.nodes=" + redis.uris().get(0) + "," + redis.uris().get(1))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(Redlock.class).quorum()).isEqualTo(2);
				assertThat(output).contains("redlock.nodes lists 2 nodes, an even number")
					.contains("Use an odd number");
			});
	}

	private static void assertStartupFailure(ApplicationContextRunner runner, String property, String problem,
			String action) {
		runner.run((context) -> {
			assertThat(context).hasFailed();
			Throwable failure = context.getStartupFailure();
			RedlockConfigurationException cause = findCause(failure);
			assertThat(cause).as("cause of %s", failure).isNotNull();
			assertThat(cause.getProperty()).isEqualTo(property);
			assertThat(cause.getMessage()).contains(property).contains(problem);
			FailureAnalysis analysis = new RedlockConfigurationFailureAnalyzer().analyze(failure);
			assertThat(analysis).isNotNull();
			assertThat(analysis.getDescription()).contains(property).contains(problem);
			assertThat(analysis.getAction()).contains(action);
		});
	}

	private static RedlockConfigurationException findCause(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (t instanceof RedlockConfigurationException configuration) {
				return configuration;
			}
		}
		return null;
	}

	private static String stackText(Throwable failure) {
		java.io.StringWriter text = new java.io.StringWriter();
		failure.printStackTrace(new java.io.PrintWriter(text));
		return text.toString();
	}

	@Configuration(proxyBeanMethods = false)
	static class UserEngine {

		@Bean(destroyMethod = "close")
		Redlock customRedlock() {
			List<JedisLockNode> nodes = redis.uris()
				.stream()
				.map((uri) -> new JedisLockNode(RedisNodeAddress.parse("node", uri), Duration.ofMillis(100), 4))
				.toList();
			RedlockSettings defaults = RedlockSettings.defaults();
			return new Redlock(nodes, new RedlockSettings(defaults.leaseTime(), defaults.waitTime(),
					defaults.retryDelay(), defaults.retryJitter(), defaults.nodeTimeout(), defaults.driftFactor(), "mine:"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserTemplate {

		static class CustomTemplate extends LockTemplate {

			CustomTemplate(Redlock redlock) {
				super(redlock);
			}

		}

		@Bean
		LockTemplate customTemplate(Redlock redlock) {
			return new CustomTemplate(redlock);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserAdvisor {

		@Bean
		static DistributedLockAdvisor customAdvisor() {
			LockOperationSource operations = new LockOperationSource((value) -> value, Duration.ofSeconds(1),
					Duration.ZERO);
			return new DistributedLockAdvisor(operations,
					new DistributedLockInterceptor(operations, () -> null, null), 42);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Annotated {

		static class Job {

			@DistributedLock
			public String run() {
				return "ran";
			}

		}

		@Bean
		Job job() {
			return new Job();
		}

	}

}
