package org.kinmesh.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Jackson tree as the Vert.x JSON it would parse to (objects, arrays, strings, integers as
 * Integer when they fit and Long otherwise, booleans, null), without printing and re-reading text.
 */
final class JsonTrees {
  private JsonTrees() {}

  static JsonObject object(JsonNode n) {
    if (!n.isObject()) {
      throw new IllegalArgumentException("not a JSON object: " + n.getNodeType());
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      m.put(e.getKey(), value(e.getValue()));
    }
    return new JsonObject(m);
  }

  private static Object value(JsonNode n) {
    switch (n.getNodeType()) {
      case OBJECT:
        return object(n);
      case ARRAY: {
        ArrayList<Object> l = new ArrayList<>(n.size());
        n.forEach(e -> l.add(value(e)));
        return new JsonArray(l);
      }
      case STRING:
        return n.textValue();
      case BOOLEAN:
        return n.booleanValue();
      case NULL:
        return null;
      case NUMBER:
        if (n.isIntegralNumber()) {
          return n.canConvertToInt() ? (Object) n.intValue() : (Object) n.longValue();
        }
        return n.doubleValue();
      default:
        throw new IllegalArgumentException("no JSON value: " + n.getNodeType());
    }
  }
}
