package dev.redlock.core.jedis;

import java.time.Duration;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.redlock.core.LockNode;
import dev.redlock.core.LockNodeContract;
import dev.redlock.protocol.RedisNodeAddress;
import dev.redlock.test.RedisServersExtension;

/**
 * The Jedis node keeps the contract of a Redlock member on a real {@code redis-server}.
 */
class JedisLockNodeContractTests extends LockNodeContract {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(1);

	@Override
	protected LockNode newNode() {
		return new JedisLockNode(RedisNodeAddress.parse("nodes[0]", redis.uris().get(0)), Duration.ofSeconds(2), 4);
	}

	@Override
	protected void restartMemberEmpty() {
		redis.get(0).restart();
	}

}
