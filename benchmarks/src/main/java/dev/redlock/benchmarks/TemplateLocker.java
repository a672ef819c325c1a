package dev.redlock.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockTemplate;
import dev.redlock.core.LockNode;
import dev.redlock.core.Redlock;
import dev.redlock.core.RedlockSettings;
import dev.redlock.core.jedis.JedisLockNode;
import dev.redlock.protocol.RedisNodeAddress;

/**
 * This library, as an application calls it: {@link LockTemplate#execute} over a {@link Redlock}
 * engine with the default settings and one pooled {@link JedisLockNode} per node.
 */
final class TemplateLocker implements Locker {

	private final Redlock redlock;

	private final LockTemplate template;

	TemplateLocker(List<String> uris) {
		this(uris, Implementation.JEDIS_POOL_SIZE);
	}

	TemplateLocker(List<String> uris, int connectionsPerNode) {
		RedlockSettings settings = RedlockSettings.defaults();
		List<LockNode> nodes = new ArrayList<>();
		for (int i = 0; i < uris.size(); i++) {
			nodes.add(new JedisLockNode(RedisNodeAddress.parse("nodes[" + i + "]", uris.get(i)), settings.nodeTimeout(),
					connectionsPerNode));
		}
		this.redlock = Redlock.builder(nodes, settings).build();
		this.template = new LockTemplate(this.redlock);
	}

	@Override
	public boolean withLock(String key, Duration wait, Runnable criticalSection) {
		try {
			this.template.execute(key, Implementation.LEASE, wait, (handle) -> {
				criticalSection.run();
				return null;
			});
			return true;
		}
		catch (LockNotAcquiredException ex) {
			return false;
		}
	}

	@Override
	public void close() {
		this.redlock.close();
	}

}
