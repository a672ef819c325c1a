package dev.redlock.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and string quoter, enough for JMH's result files and the command counts,
 * so that the report needs no JSON library. Objects are read as ordered maps, arrays as lists,
 * numbers as doubles ({@code NaN} and {@code Infinity} accepted, quoted or not, as JMH may
 * write them).
 */
final class MiniJson {

	private final String text;

	private int pos;

	private MiniJson(String text) {
		this.text = text;
	}

	static Object parse(String text) {
		MiniJson parser = new MiniJson(text);
		Object value = parser.value();
		parser.skipWhitespace();
		if (parser.pos != text.length()) {
			throw parser.error("trailing text");
		}
		return value;
	}

	static String quote(String value) {
		StringBuilder out = new StringBuilder("\"");
		for (char c : value.toCharArray()) {
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		return out.append('"').toString();
	}

	/** A number from a parsed value: a double, or a quoted number such as {@code "NaN"}. */
	static double number(Object value) {
		if (value instanceof Double number) {
			return number;
		}
		if (value instanceof String string) {
			return Double.parseDouble(string);
		}
		return Double.NaN;
	}

	private Object value() {
		skipWhitespace();
		if (this.pos >= this.text.length()) {
			throw error("unexpected end");
		}
		char c = this.text.charAt(this.pos);
		return switch (c) {
			case '{' -> object();
			case '[' -> array();
			case '"' -> string();
			case 't' -> literal("true", Boolean.TRUE);
			case 'f' -> literal("false", Boolean.FALSE);
			case 'n' -> literal("null", null);
			case 'N' -> literal("NaN", Double.NaN);
			case 'I' -> literal("Infinity", Double.POSITIVE_INFINITY);
			default -> number();
		};
	}

	private Map<String, Object> object() {
		Map<String, Object> map = new LinkedHashMap<>();
		this.pos++;
		skipWhitespace();
		if (peek() == '}') {
			this.pos++;
			return map;
		}
		while (true) {
			skipWhitespace();
			String key = string();
			skipWhitespace();
			expect(':');
			map.put(key, value());
			skipWhitespace();
			char c = next();
			if (c == '}') {
				return map;
			}
			if (c != ',') {
				throw error("expected , or }");
			}
		}
	}

	private List<Object> array() {
		List<Object> list = new ArrayList<>();
		this.pos++;
		skipWhitespace();
		if (peek() == ']') {
			this.pos++;
			return list;
		}
		while (true) {
			list.add(value());
			skipWhitespace();
			char c = next();
			if (c == ']') {
				return list;
			}
			if (c != ',') {
				throw error("expected , or ]");
			}
		}
	}

	private String string() {
		expect('"');
		StringBuilder out = new StringBuilder();
		while (true) {
			char c = next();
			if (c == '"') {
				return out.toString();
			}
			if (c == '\\') {
				char escaped = next();
				switch (escaped) {
					case 'n' -> out.append('\n');
					case 'r' -> out.append('\r');
					case 't' -> out.append('\t');
					case 'b' -> out.append('\b');
					case 'f' -> out.append('\f');
					case 'u' -> {
						out.append((char) Integer.parseInt(this.text.substring(this.pos, this.pos + 4), 16));
						this.pos += 4;
					}
					default -> out.append(escaped);
				}
			}
			else {
				out.append(c);
			}
		}
	}

	private Double number() {
		int start = this.pos;
		if (peek() == '-') {
			this.pos++;
			if (peek() == 'I') {
				literal("Infinity", null);
				return Double.NEGATIVE_INFINITY;
			}
		}
		while (this.pos < this.text.length() && "0123456789.eE+-".indexOf(this.text.charAt(this.pos)) >= 0) {
			this.pos++;
		}
		if (start == this.pos) {
			throw error("unexpected character");
		}
		return Double.parseDouble(this.text.substring(start, this.pos));
	}

	private Object literal(String word, Object value) {
		if (!this.text.startsWith(word, this.pos)) {
			throw error("expected " + word);
		}
		this.pos += word.length();
		return value;
	}

	private void skipWhitespace() {
		while (this.pos < this.text.length() && Character.isWhitespace(this.text.charAt(this.pos))) {
			this.pos++;
		}
	}

	private char peek() {
		return (this.pos < this.text.length()) ? this.text.charAt(this.pos) : '\0';
	}

	private char next() {
		if (this.pos >= this.text.length()) {
			throw error("unexpected end");
		}
		return this.text.charAt(this.pos++);
	}

	private void expect(char c) {
		if (next() != c) {
			throw error("expected " + c);
		}
	}

	private IllegalArgumentException error(String problem) {
		return new IllegalArgumentException("Bad JSON at " + this.pos + ": " + problem);
	}

}
