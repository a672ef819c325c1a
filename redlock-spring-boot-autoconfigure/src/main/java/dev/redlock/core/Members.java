package dev.redlock.core;

import java.util.Arrays;
import java.util.List;

/**
 * The nodes of the quorum, in configuration order, with the optional capabilities each offers
 * (asked once), and how many must agree: {@code N/2+1}.
 */
final class Members {

	final List<LockNode> nodes;

	final int quorum;

	private final FencedNode[] fenced;

	final ArmableNode[] armable;

	private final AnnouncingNode[] announcing;

	private final NodeExchange[] exchanges;

	Members(List<LockNode> nodes) {
		this.nodes = List.copyOf(nodes);
		this.quorum = nodes.size() / 2 + 1;
		this.fenced = capabilities(FencedNode.class, new FencedNode[0]);
		this.armable = capabilities(ArmableNode.class, new ArmableNode[0]);
		this.announcing = capabilities(AnnouncingNode.class, new AnnouncingNode[0]);
		this.exchanges = capabilities(NodeExchange.class, new NodeExchange[0]);
	}

	private <T> T[] capabilities(Class<T> type, T[] empty) {
		T[] found = Arrays.copyOf(empty, this.nodes.size());
		for (int i = 0; i < found.length; i++) {
			found[i] = this.nodes.get(i).capability(type).orElse(null);
		}
		return found;
	}

	int size() {
		return this.nodes.size();
	}

	String name(int index) {
		return this.nodes.get(index).name();
	}

	/**
	 * Node {@code index}'s fencing steps.
	 * @throws NodeFailure if it has none
	 */
	FencedNode fenced(int index) {
		FencedNode node = this.fenced[index];
		if (node == null) {
			throw new NodeFailure(NodeFailure.Kind.FAILED, name(index) + " does not support fencing tokens", null);
		}
		return node;
	}

	/** Node {@code index}'s announced releases, or {@code null}. */
	AnnouncingNode announcing(int index) {
		return this.announcing[index];
	}

	/** Node {@code index}'s send-now, read-later commands, or {@code null}. */
	NodeExchange exchange(int index) {
		return this.exchanges[index];
	}

}
