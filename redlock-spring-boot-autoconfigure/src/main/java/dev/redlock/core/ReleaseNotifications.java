package dev.redlock.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Releases of held locks announced by other processes ({@link AnnouncingNode}): from the first
 * wait of a thread of this engine on, it listens on every node that can announce, and wakes this
 * engine's waiters of each released key.
 */
final class ReleaseNotifications {

	private final Members members;

	private final String channel;

	private final LocalWaiters waiters;

	private final List<AnnouncingNode.Subscription> subscriptions = new CopyOnWriteArrayList<>();

	private final AtomicBoolean listening = new AtomicBoolean();

	/**
	 * @param channel the release channel, or {@code null} if releases are not announced
	 */
	ReleaseNotifications(Members members, String channel, LocalWaiters waiters) {
		this.members = members;
		this.channel = channel;
		this.waiters = waiters;
	}

	/** Where releases are announced, or {@code null}. */
	String channel() {
		return this.channel;
	}

	/** Starts listening, once. */
	void listen() {
		if (this.channel == null || this.listening.get() || !this.listening.compareAndSet(false, true)) {
			return;
		}
		for (int i = 0; i < this.members.size(); i++) {
			AnnouncingNode node = this.members.announcing(i);
			if (node != null) {
				this.subscriptions.add(node.listenForReleases(this.channel, (key) -> this.waiters.released(List.of(key))));
			}
		}
	}

	/** How many nodes releases are heard from now. */
	int listeners() {
		return (int) this.subscriptions.stream().filter(AnnouncingNode.Subscription::isActive).count();
	}

	void close() {
		this.subscriptions.forEach(AnnouncingNode.Subscription::close);
	}

}
