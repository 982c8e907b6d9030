package org.kinmesh.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonFactory;
import java.io.IOException;

/**
 * JSON reading per PROTOCOL.md §1: a UTF-8 object, duplicate keys malformed, unknown fields
 * ignored, missing or mistyped required fields malformed. Bounded nesting and string length.
 */
public final class StrictJson {
  private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(16)
          .maxStringLength(WireRules.MAX_MESSAGE_BYTES)
          .maxNumberLength(32)
          .build())
      .build());

  private final ObjectNode node;

  private StrictJson(ObjectNode node) {
    this.node = node;
  }

  public static StrictJson parse(byte[] utf8) throws WireException {
    return parse(utf8, WireRules.MAX_MESSAGE_BYTES);
  }

  /** As {@link #parse(byte[])} with another size bound (blocks are larger than one message). */
  public static StrictJson parse(byte[] utf8, int maxBytes) throws WireException {
    if (utf8.length > maxBytes) {
      throw new WireException(ErrorCode.TOO_LARGE, "message over " + maxBytes + " bytes");
    }
    JsonNode root;
    try (JsonParser parser = MAPPER.createParser(utf8)) {
      root = MAPPER.readTree(parser);
      if (parser.nextToken() != null) {
        throw WireException.malformed("trailing data after the JSON object");
      }
    } catch (JsonProcessingException e) {
      throw WireException.malformed("not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw WireException.malformed("not valid JSON");
    }
    if (!(root instanceof ObjectNode obj)) {
      throw WireException.malformed("body must be a JSON object");
    }
    return new StrictJson(obj);
  }

  public ObjectNode node() {
    return node;
  }

  public String requireString(String field) throws WireException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw WireException.malformed("missing required field '" + field + "'");
    }
    if (!v.isTextual()) {
      throw WireException.malformed("field '" + field + "' must be a string");
    }
    return v.textValue();
  }

  public long requireLong(String field) throws WireException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw WireException.malformed("missing required field '" + field + "'");
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw WireException.malformed("field '" + field + "' must be an integer");
    }
    return v.longValue();
  }

  public boolean requireBoolean(String field) throws WireException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw WireException.malformed("missing required field '" + field + "'");
    }
    if (!v.isBoolean()) {
      throw WireException.malformed("field '" + field + "' must be true or false");
    }
    return v.booleanValue();
  }

  /** A nested object, read with the same rules (duplicates were already rejected at parse). */
  public StrictJson requireObject(String field) throws WireException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw WireException.malformed("missing required field '" + field + "'");
    }
    if (!(v instanceof ObjectNode obj)) {
      throw WireException.malformed("field '" + field + "' must be an object");
    }
    return new StrictJson(obj);
  }

  /** A required array of at most maxItems elements. */
  public java.util.List<JsonNode> requireArray(String field, int maxItems) throws WireException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw WireException.malformed("missing required field '" + field + "'");
    }
    if (!v.isArray()) {
      throw WireException.malformed("field '" + field + "' must be an array");
    }
    if (v.size() > maxItems) {
      throw WireException.malformed("field '" + field + "' has more than " + maxItems + " elements");
    }
    java.util.List<JsonNode> out = new java.util.ArrayList<>(v.size());
    v.forEach(out::add);
    return out;
  }

  /** Wraps an element of a parsed document, e.g. one object of an array. */
  public static StrictJson element(JsonNode value, String what) throws WireException {
    if (!(value instanceof ObjectNode obj)) {
      throw WireException.malformed(what + " must be an object");
    }
    return new StrictJson(obj);
  }

  public boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  public JsonNode get(String field) {
    return node.get(field);
  }
}
