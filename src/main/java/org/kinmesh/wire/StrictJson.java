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
    if (utf8.length > WireRules.MAX_MESSAGE_BYTES) {
      throw new WireException(ErrorCode.TOO_LARGE, "message over " + WireRules.MAX_MESSAGE_BYTES + " bytes");
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

  public boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  public JsonNode get(String field) {
    return node.get(field);
  }
}
