package dev.redlock.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * The fields of an {@code INFO} reply ({@code name:value} lines under {@code # Section} headers).
 */
public final class InfoFields {

	private InfoFields() {
	}

	/**
	 * Reads the fields of an {@code INFO} reply.
	 * @param info the reply's text
	 * @return each field's value, trimmed, by name; section headers and other lines left out
	 */
	public static Map<String, String> parse(String info) {
		Map<String, String> values = new HashMap<>();
		for (String line : info.split("\\r?\\n")) {
			int colon = line.indexOf(':');
			if (colon > 0 && !line.startsWith("#")) {
				values.put(line.substring(0, colon), line.substring(colon + 1).trim());
			}
		}
		return values;
	}

}
