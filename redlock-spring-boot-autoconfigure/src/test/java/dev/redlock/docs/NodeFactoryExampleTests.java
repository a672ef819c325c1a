package dev.redlock.docs;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.redlock.LockHandle;
import dev.redlock.LockTemplate;
import dev.redlock.autoconfigure.LockNodeFactory;
import dev.redlock.autoconfigure.RedlockAutoConfiguration;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node-factory example of {@code docs/configuration.md}, as written there (its block is the
 * tagged region of this file; {@code DocumentationExamplesTests} checks that they match), on 3 real
 * nodes: the application's factory replaces the starter's, is asked once per member in the
 * configured order, and the engine locks with the nodes it made.
 */
class NodeFactoryExampleTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	static final Queue<String> members = new ConcurrentLinkedQueue<>();

	@Test
	void theApplicationsFactoryShouldMakeEveryNode() {
		members.clear();
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RedlockAutoConfiguration.class))
			.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()))
			.withUserConfiguration(Nodes.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBeansOfType(LockNodeFactory.class)).containsOnlyKeys("lockNodeFactory");
				assertThat(List.copyOf(members)).containsExactlyElementsOf(
						redis.uris().stream().map((uri) -> uri.substring(uri.lastIndexOf('/') + 1)).toList());
				String key = context.getBean(LockTemplate.class).execute("made-by-the-factory", LockHandle::key);
				assertThat(key).isEqualTo("redlock:made-by-the-factory");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class Nodes {

		// tag::node-factory[]
		@Bean
		LockNodeFactory lockNodeFactory() {
			return (settings) -> {
				members.add(settings.address().host() + ":" + settings.address().port()); // your own LockNode here
				return new JedisLockNode(settings);
			};
		}
		// end::node-factory[]

	}

}
