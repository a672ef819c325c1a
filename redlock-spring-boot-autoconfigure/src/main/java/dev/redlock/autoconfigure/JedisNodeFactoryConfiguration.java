package dev.redlock.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.redlock.core.LockNode;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.LockNodeSettings;

/**
 * The default {@link LockNodeFactory}: Jedis, when Jedis 7 is on the class path (named by string,
 * so that nothing here loads a Jedis class without it). Without it and without a factory of the
 * application's own, {@link JedisAvailability} stops the startup naming the Jedis found.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = JedisAvailability.CLIENT_CLASS)
class JedisNodeFactoryConfiguration {

	@Bean
	@ConditionalOnMissingBean
	LockNodeFactory redlockNodeFactory() {
		return new JedisNodeFactory();
	}

	/** One {@link JedisLockNode} per member. */
	static final class JedisNodeFactory implements LockNodeFactory {

		@Override
		public LockNode create(LockNodeSettings settings) {
			return new JedisLockNode(settings);
		}

		@Override
		public String toString() {
			return "JedisNodeFactory";
		}

	}

}
