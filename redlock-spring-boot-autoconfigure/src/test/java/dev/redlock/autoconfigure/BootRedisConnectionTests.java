package dev.redlock.autoconfigure;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.redlock.LockHandle;
import dev.redlock.LockTemplate;
import dev.redlock.core.Redlock;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.RedisClusterGroup;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisSentinelGroup;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the nodes come from: a {@link RedlockConnectionDetails} bean, else {@code redlock.nodes},
 * else Spring Boot's own Redis connection ({@code spring.data.redis.*} or a
 * {@link DataRedisConnectionDetails} bean, as {@code @ServiceConnection} and Docker Compose supply)
 * as the one node; on real servers.
 */
@ExtendWith(OutputCaptureExtension.class)
class BootRedisConnectionTests {

	private static final String ONE_NODE_WARNING = "Redlock uses Spring Boot's Redis connection";

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	@RegisterExtension
	static final RedisServersExtension secured = new RedisServersExtension(1, "--user", "locker", "on", ">l0ck-pw",
			"~*", "&*", "+@all");

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, RedlockAutoConfiguration.class))
		.withPropertyValues("redlock.restart-guard.enabled=false", "redlock.wait-time=2s",
				"redlock.node-timeout=1s");

	private static String port(RedisServerProcess server) {
		return Integer.toString(server.port());
	}

	/** Takes a lock and returns what the server holds under its key meanwhile. */
	private static Object lockAndRead(LockTemplate template, String name, RedisServerProcess server, String... select) {
		return template.execute(name, (LockHandle handle) -> (select.length == 0) ? server.call("GET", handle.key())
				: server.call("EVAL", "redis.call('SELECT', ARGV[1]) return redis.call('GET', KEYS[1])", "1",
						handle.key(), select[0]));
	}

	@Test
	void bootRedisShouldBeTheOnlyNodeWhenRedlockNodesIsUnset(CapturedOutput output) {
		RedisServerProcess server = redis.get(0);
		this.runner.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + port(server))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Redlock redlock = context.getBean(Redlock.class);
				assertThat(redlock.nodes()).hasSize(1);
				assertThat(redlock.quorum()).isEqualTo(1);
				assertThat(redlock.nodes().get(0).name()).isEqualTo("127.0.0.1:" + server.port());
				assertThat(lockAndRead(context.getBean(LockTemplate.class), "boot", server)).isNotNull();
				assertThat(server.keys("redlock:boot")).as("released").isEmpty();
			});
		assertThat(occurrences(output.getOut(), ONE_NODE_WARNING)).isEqualTo(1);
		assertThat(output.getOut()).contains("efficiency lock").contains("not fault tolerance")
			.contains("set redlock.nodes to 3 or 5 independent Redis masters");
	}

	@Test
	void bootRedisDatabaseShouldHoldTheLockKeys() {
		RedisServerProcess server = redis.get(1);
		this.runner.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:" + server.port() + "/5")
			.run((context) -> {
				assertThat(context.getBean(Redlock.class).nodes().get(0).name())
					.isEqualTo("127.0.0.1:" + server.port() + "/5");
				LockTemplate template = context.getBean(LockTemplate.class);
				assertThat(lockAndRead(template, "db", server, "5")).as("in database 5").isNotNull();
				assertThat(lockAndRead(template, "db", server)).as("not in database 0").isNull();
			});
	}

	@Test
	void bootRedisCredentialsShouldLogIn() {
		RedisServerProcess server = secured.get(0);
		this.runner
			.withPropertyValues("spring.data.redis.port=" + port(server), "spring.data.redis.username=locker",
					"spring.data.redis.password=l0ck-pw")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(lockAndRead(context.getBean(LockTemplate.class), "acl", server)).isNotNull();
			});
		this.runner.withPropertyValues("spring.data.redis.url=redis://locker:l0ck-pw@127.0.0.1:" + server.port())
			.run((context) -> assertThat(lockAndRead(context.getBean(LockTemplate.class), "url", server)).isNotNull());
	}

	@Test
	void rejectedBootRedisCredentialsShouldFailStartupNamingSpringDataRedis() {
		this.runner
			.withPropertyValues("spring.data.redis.port=" + port(secured.get(0)), "spring.data.redis.username=locker",
					"spring.data.redis.password=pw-9f3k")
			.run((context) -> {
				RedlockConfigurationException failure = RedlockStartupFailures.cause(context);
				assertThat(failure.getProperty()).isEqualTo("spring.data.redis");
				assertThat(failure.getMessage()).contains("refused the user name or password")
					.doesNotContain("pw-9f3k");
				assertThat(failure.getAction()).contains("spring.data.redis.username and spring.data.redis.password");
			});
	}

	@Test
	void redlockNodesShouldWinOverBootRedis(CapturedOutput output) {
		this.runner
			.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()),
					"spring.data.redis.port=" + port(secured.get(0)))
			.run((context) -> {
				assertThat(context.getBean(Redlock.class).nodes()).hasSize(3);
				assertThat(context.getBean(Redlock.class).quorum()).isEqualTo(2);
			});
		assertThat(output.getOut()).doesNotContain(ONE_NODE_WARNING);
	}

	@Test
	void connectionDetailsBeanShouldWinOverRedlockNodesAndBootRedis(CapturedOutput output) {
		this.runner.withBean(RedlockConnectionDetails.class, () -> RedlockConnectionDetails.of(redis.uris()))
			.withPropertyValues("redlock.nodes=redis://127.0.0.1:1", "spring.data.redis.port=" + port(secured.get(0)))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Redlock redlock = context.getBean(Redlock.class);
				assertThat(redlock.nodes()).extracting((node) -> ((JedisLockNode) node).address().port())
					.containsExactly(redis.get(0).port(), redis.get(1).port(), redis.get(2).port());
				String key = context.getBean(LockTemplate.class)
					.execute("details", (LockHandle handle) -> redis.servers().keysOnMajority(handle.key()).get(0));
				assertThat(key).isEqualTo("redlock:details");
			});
		assertThat(output.getOut()).contains("A RedlockConnectionDetails bean supplies the Redlock nodes")
			.doesNotContain(ONE_NODE_WARNING);
	}

	@Test
	void emptyOrBadConnectionDetailsShouldFailStartupNamingTheBean() {
		this.runner.withBean(RedlockConnectionDetails.class, () -> RedlockConnectionDetails.of(List.of()))
			.run((context) -> assertThat(RedlockStartupFailures.cause(context).getProperty())
				.isEqualTo("RedlockConnectionDetails.getNodes()"));
		this.runner
			.withBean(RedlockConnectionDetails.class,
					() -> RedlockConnectionDetails.of(redis.uris().get(0), "http://:s3cret@host:1"))
			.run((context) -> {
				RedlockConfigurationException failure = RedlockStartupFailures.cause(context);
				assertThat(failure.getProperty()).isEqualTo("RedlockConnectionDetails.getNodes()[1]");
				assertThat(failure.getMessage()).contains("must start with redis://").doesNotContain("s3cret");
				assertThat(failure.getAction()).contains("in your RedlockConnectionDetails bean");
			});
	}

	@Test
	void serviceConnectionDetailsShouldBeTheNode() {
		// what a @ServiceConnection Redis container or a Docker Compose Redis service contributes
		RedisServerProcess server = redis.get(2);
		this.runner.withUserConfiguration(ContainerLikeConnection.class)
			.withPropertyValues("sample.redis.port=" + server.port(), "spring.data.redis.port=1")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(Redlock.class).nodes().get(0).name())
					.isEqualTo("127.0.0.1:" + server.port());
				assertThat(lockAndRead(context.getBean(LockTemplate.class), "container", server)).isNotNull();
			});
	}

	@Test
	void sentinelConnectionShouldLockOnTheMonitoredMaster() {
		try (RedisSentinelGroup group = RedisSentinelGroup.start()) {
			String sentinels = group.uri().substring("redis-sentinel://".length(), group.uri().lastIndexOf('/'));
			this.runner
				.withPropertyValues("spring.data.redis.sentinel.master=" + RedisSentinelGroup.MASTER_NAME,
						"spring.data.redis.sentinel.nodes=" + sentinels, "spring.data.redis.database=2")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					RedisNodeAddress address = ((JedisLockNode) context.getBean(Redlock.class).nodes().get(0)).address();
					assertThat(address.kind()).isEqualTo(RedisNodeAddress.Kind.SENTINEL);
					assertThat(address.masterName()).isEqualTo(RedisSentinelGroup.MASTER_NAME);
					assertThat(address.seeds()).hasSize(3);
					assertThat(lockAndRead(context.getBean(LockTemplate.class), "sentinel", group.master(), "2"))
						.as("on the master, database 2")
						.isNotNull();
				});
		}
	}

	@Test
	void sentinelCredentialsShouldFailStartupNamingTheProperty() {
		this.runner
			.withPropertyValues("spring.data.redis.sentinel.master=mymaster",
					"spring.data.redis.sentinel.nodes=127.0.0.1:26379", "spring.data.redis.sentinel.password=x")
			.run((context) -> {
				RedlockConfigurationException failure = RedlockStartupFailures.cause(context);
				assertThat(failure.getProperty()).isEqualTo("spring.data.redis.sentinel.password");
				assertThat(failure.getAction()).contains("redlock.nodes");
			});
	}

	@Test
	void clusterConnectionShouldLockOnTheShardOfTheKey() {
		try (RedisClusterGroup cluster = RedisClusterGroup.start(3)) {
			String nodes = cluster.uri().substring("redis-cluster://".length());
			this.runner.withPropertyValues("spring.data.redis.cluster.nodes=" + nodes).run((context) -> {
				assertThat(context).hasNotFailed();
				RedisNodeAddress address = ((JedisLockNode) context.getBean(Redlock.class).nodes().get(0)).address();
				assertThat(address.kind()).isEqualTo(RedisNodeAddress.Kind.CLUSTER);
				List<String> held = context.getBean(LockTemplate.class)
					.execute("cluster", (LockHandle handle) -> cluster.servers()
						.all()
						.stream()
						.flatMap((server) -> server.keys(handle.key()).stream())
						.toList());
				assertThat(held).as("on one shard, with a hash tag").containsExactly("redlock:{cluster}");
			});
		}
	}

	@Test
	void masterReplicaConnectionShouldFailStartup() {
		this.runner.withPropertyValues("spring.data.redis.masterreplica.nodes=127.0.0.1:7000,127.0.0.1:7001")
			.run((context) -> {
				RedlockConfigurationException failure = RedlockStartupFailures.cause(context);
				assertThat(failure.getProperty()).isEqualTo("spring.data.redis.masterreplica.nodes");
				assertThat(failure.getMessage()).contains("cannot tell which listed node is the master");
			});
	}

	@Test
	void withoutSpringBootDataRedisStartupShouldFailNamingRedlockNodes() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RedlockAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.data.redis"))
			.withUserConfiguration(ContainerLikeConnection.class)
			.withPropertyValues("sample.redis.port=" + redis.get(0).port())
			.run((context) -> {
				RedlockConfigurationException failure = RedlockStartupFailures.cause(context);
				assertThat(failure.getProperty()).isEqualTo("redlock.nodes");
				assertThat(failure.getMessage()).contains("no Redis node is configured");
				FailureAnalysis analysis = new RedlockConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getAction()).contains("redlock.nodes=redis://")
					.contains("RedlockConnectionDetails bean")
					.contains("spring-boot-data-redis");
			});
	}

	private static int occurrences(String text, String part) {
		Matcher matcher = Pattern.compile(Pattern.quote(part)).matcher(text);
		int count = 0;
		while (matcher.find()) {
			count++;
		}
		return count;
	}

	@Configuration(proxyBeanMethods = false)
	static class ContainerLikeConnection {

		@Bean
		DataRedisConnectionDetails containerConnectionDetails(org.springframework.core.env.Environment environment) {
			int port = environment.getRequiredProperty("sample.redis.port", Integer.class);
			return new DataRedisConnectionDetails() {

				@Override
				public Standalone getStandalone() {
					return Standalone.of("127.0.0.1", port);
				}

			};
		}

	}

	/** Finds the Redlock failure behind a failed startup. */
	static final class RedlockStartupFailures {

		private RedlockStartupFailures() {
		}

		static RedlockConfigurationException cause(
				org.springframework.boot.test.context.assertj.AssertableApplicationContext context) {
			assertThat(context).hasFailed();
			for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
				if (t instanceof RedlockConfigurationException failure) {
					return failure;
				}
			}
			throw new AssertionError("no RedlockConfigurationException behind " + context.getStartupFailure(),
					context.getStartupFailure());
		}

	}

}
