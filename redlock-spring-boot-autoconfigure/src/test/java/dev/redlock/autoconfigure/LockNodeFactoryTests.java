package dev.redlock.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.redlock.LockTemplate;
import dev.redlock.core.InMemoryLockNode;
import dev.redlock.core.LockNode;
import dev.redlock.core.Redlock;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.LockNodeSettings;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's nodes come from a {@link LockNodeFactory} bean: Jedis's by default, the
 * application's own when it defines one, which then needs no Jedis at all.
 */
class LockNodeFactoryTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(1);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class))
		.withPropertyValues("redlock.restart-guard.enabled=false");

	@Test
	void theDefaultFactoryShouldMakeJedisNodes() {
		this.runner.withPropertyValues("redlock.nodes=" + redis.uris().get(0)).run((context) -> {
			assertThat(context).hasSingleBean(LockNodeFactory.class);
			assertThat(context.getBean(Redlock.class).nodes()).singleElement().isInstanceOf(JedisLockNode.class);
		});
	}

	@Test
	void anApplicationFactoryShouldReplaceTheDefaultGetEveryMembersSettingsAndNeedNoJedis() {
		this.runner.withUserConfiguration(InMemoryNodesConfiguration.class)
			.withClassLoader(new FilteredClassLoader("redis.clients"))
			.withPropertyValues("redlock.nodes=redis://a:1,redis://u:secret@b:2/3,redis://c:3",
					"redlock.node-timeout=250ms", "redlock.max-connections-per-node=7", "redlock.replica-acks=1",
					"redlock.caller-reads-answers=false")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(LockNodeFactory.class);
				InMemoryNodes factory = context.getBean(InMemoryNodes.class);
				assertThat(factory.made).extracting((settings) -> settings.address().name())
					.containsExactly("a:1", "b:2/3", "c:3");
				LockNodeSettings second = factory.made.get(1);
				assertThat(second.address().user()).isEqualTo("u");
				assertThat(second.address().password()).isEqualTo("secret");
				assertThat(second.nodeTimeout()).isEqualTo(Duration.ofMillis(250));
				assertThat(second.maxConnections()).isEqualTo(7);
				assertThat(second.replicaAcks()).isEqualTo(1);
				assertThat(second.callerReadsAnswers()).isFalse();
				assertThat(second.sslSocketFactory()).isNull();
				List<LockNode> nodes = context.getBean(Redlock.class).nodes();
				assertThat(nodes).hasSize(3).allSatisfy((node) -> assertThat(node).isInstanceOf(InMemoryLockNode.class));
				String key = context.getBean(LockTemplate.class).execute("k", (handle) -> handle.key());
				assertThat(key).isEqualTo("redlock:k");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class InMemoryNodesConfiguration {

		@Bean
		InMemoryNodes inMemoryNodeFactory() {
			return new InMemoryNodes();
		}

	}

	static class InMemoryNodes implements LockNodeFactory {

		final List<LockNodeSettings> made = new CopyOnWriteArrayList<>();

		@Override
		public LockNode create(LockNodeSettings settings) {
			this.made.add(settings);
			return new InMemoryLockNode(settings.address().name());
		}

	}

}
