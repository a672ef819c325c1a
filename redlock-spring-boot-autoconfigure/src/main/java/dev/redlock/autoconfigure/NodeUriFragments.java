package dev.redlock.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Puts back together the node URIs that Spring's binder split apart. A comma-separated
 * {@code redlock.nodes=a,b} (in application.properties, an environment variable or a YAML scalar)
 * is split at every comma, also at the commas inside a Sentinel or Cluster URI:
 * {@code redis-sentinel://h1:26379,h2:26379/orders,redis://h3:6379} arrives as
 * {@code [redis-sentinel://h1:26379, h2:26379/orders, redis://h3:6379]}.
 *
 * <p>A fragment is joined back (with its comma) to the URI before it when it has no scheme of its
 * own and that URI is a {@code redis-sentinel://} or {@code redis-cluster://} one whose seed list
 * is still open (no {@code /} after its seeds yet). Such a fragment is never a node URI by itself,
 * so no list that was valid before changes meaning; YAML lists and {@code redlock.nodes[0]=…}
 * entries, which the binder does not split, come through as they were.
 */
final class NodeUriFragments {

	private NodeUriFragments() {
	}

	/**
	 * The node URIs as the user wrote them.
	 * @param bound the list the binder made
	 * @return the list with split Sentinel and Cluster URIs joined again
	 */
	static List<String> rejoin(List<String> bound) {
		List<String> uris = new ArrayList<>(bound.size());
		for (String element : bound) {
			int last = uris.size() - 1;
			if (last >= 0 && continues(uris.get(last), element)) {
				uris.set(last, uris.get(last) + "," + element.trim());
			}
			else {
				uris.add(element);
			}
		}
		return uris;
	}

	private static boolean continues(String uri, String fragment) {
		if (fragment == null || fragment.isBlank() || fragment.contains("://")) {
			return false;
		}
		String lower = uri.trim().toLowerCase(Locale.ROOT);
		if (!lower.startsWith("redis-sentinel://") && !lower.startsWith("redis-cluster://")) {
			return false;
		}
		return uri.indexOf('/', uri.indexOf("://") + 3) < 0;
	}

	/**
	 * Whether a value looks like a piece of a node URI rather than a whole one.
	 * @param value one entry of {@code redlock.nodes}
	 * @return {@code true} if it has no scheme
	 */
	static boolean isFragment(String value) {
		return value != null && !value.isBlank() && !value.contains("://");
	}

}
