package org.kinmesh.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads typed, validated values from a JSON config object, with environment overrides: the key
 * {@code ttl_secs} of a config with prefix {@code RELAY_} is overridden by {@code RELAY_TTL_SECS}.
 * Every error names the key it is about.
 */
public final class ConfigReader {
  private final JsonObject json;
  private final Map<String, String> env;
  private final String envPrefix;
  private final String namePrefix;

  public ConfigReader(JsonObject json, Map<String, String> env, String envPrefix) {
    this(json, env, envPrefix, "");
  }

  private ConfigReader(JsonObject json, Map<String, String> env, String envPrefix, String namePrefix) {
    this.json = json == null ? new JsonObject() : json;
    this.env = env;
    this.envPrefix = envPrefix;
    this.namePrefix = namePrefix;
  }

  /** A reader for the object at {@code key}: its errors say "key.sub"; no env overrides inside. */
  public ConfigReader nested(String key) throws ConfigException {
    return new ConfigReader(object(key), Map.of(), "", namePrefix + key + ".");
  }

  private String name(String key) {
    return namePrefix + key;
  }

  /** Refuses keys nobody reads: a typo in a config file must not pass silently. */
  public void rejectUnknownKeys(Set<String> known) throws ConfigException {
    for (String key : json.fieldNames()) {
      if (!known.contains(key)) {
        throw new ConfigException(name(key), "unknown key (known keys: " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  private String envValue(String key) {
    return env.get(envPrefix + key.toUpperCase(java.util.Locale.ROOT));
  }

  public String string(String key, String dflt) throws ConfigException {
    String e = envValue(key);
    if (e != null) {
      return e;
    }
    Object v = json.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof String s)) {
      throw new ConfigException(name(key), "must be a string");
    }
    return s;
  }

  public long longValue(String key, long dflt, long min, long max) throws ConfigException {
    String e = envValue(key);
    long value;
    if (e != null) {
      try {
        value = Long.parseLong(e.trim());
      } catch (NumberFormatException ex) {
        throw new ConfigException(name(key), "environment value '" + e + "' is not an integer");
      }
    } else {
      Object v = json.getValue(key);
      if (v == null) {
        return dflt;
      }
      if (!(v instanceof Integer || v instanceof Long)) {
        throw new ConfigException(name(key), "must be an integer");
      }
      value = ((Number) v).longValue();
    }
    if (value < min || value > max) {
      throw new ConfigException(name(key), "must be between " + min + " and " + max + " (got " + value + ")");
    }
    return value;
  }

  public boolean bool(String key, boolean dflt) throws ConfigException {
    String e = envValue(key);
    if (e != null) {
      if (e.equalsIgnoreCase("true") || e.equals("1")) {
        return true;
      }
      if (e.equalsIgnoreCase("false") || e.equals("0")) {
        return false;
      }
      throw new ConfigException(name(key), "environment value '" + e + "' is not true or false");
    }
    Object v = json.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Boolean b)) {
      throw new ConfigException(name(key), "must be true or false");
    }
    return b;
  }

  public List<String> stringList(String key) throws ConfigException {
    String e = envValue(key);
    List<String> out = new ArrayList<>();
    if (e != null) {
      for (String part : e.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
      return out;
    }
    Object v = json.getValue(key);
    if (v == null) {
      return out;
    }
    if (!(v instanceof JsonArray arr)) {
      throw new ConfigException(name(key), "must be a list of strings");
    }
    for (Object item : arr) {
      if (!(item instanceof String s)) {
        throw new ConfigException(name(key), "must be a list of strings");
      }
      out.add(s);
    }
    return out;
  }

  public JsonObject object(String key) throws ConfigException {
    Object v = json.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      throw new ConfigException(name(key), "must be an object");
    }
    return o;
  }

  public JsonArray array(String key) throws ConfigException {
    Object v = json.getValue(key);
    if (v == null) {
      return new JsonArray();
    }
    if (!(v instanceof JsonArray a)) {
      throw new ConfigException(name(key), "must be a list");
    }
    return a;
  }
}
