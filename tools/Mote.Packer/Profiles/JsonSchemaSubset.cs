using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mote.Packer.Profiles
{
    /// <summary>One violation: a JSON pointer to the field ("/ram_budget_bytes", "/isa_features/2") and what is wrong.</summary>
    public sealed record SchemaError(string Pointer, string Message);

    /// <summary>
    /// A validator for the subset of JSON Schema (draft 2020-12) that hardware-profiles/profile.schema.json
    /// uses, so the schema file itself is what the loader enforces (no second copy of the rules in code).
    /// Supported keywords: type, properties, required, additionalProperties (boolean), enum, const,
    /// minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength, pattern, items,
    /// minItems, maxItems, uniqueItems; annotations $schema, $id, $comment, title, description, examples.
    /// A schema using any other keyword is rejected when loaded, so no rule is silently ignored.
    /// "default" is rejected too: a profile states every value, none is filled in.
    /// </summary>
    public sealed class JsonSchemaSubset
    {
        static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
        {
            "type", "properties", "required", "additionalProperties", "enum", "const", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "items", "minItems",
            "maxItems", "uniqueItems", "$schema", "$id", "$comment", "title", "description", "examples",
        };

        static readonly HashSet<string> Types = new(StringComparer.Ordinal)
        {
            "object", "array", "string", "integer", "number", "boolean", "null",
        };

        readonly JsonElement root;

        JsonSchemaSubset(JsonElement root) { this.root = root; }

        /// <summary>Parses a schema and checks that it uses only the supported keywords.</summary>
        /// <exception cref="FormatException">the schema is not JSON or uses an unsupported keyword (names the pointer).</exception>
        public static JsonSchemaSubset Parse(string schemaJson)
        {
            JsonElement root;
            try
            {
                using var doc = JsonDocument.Parse(schemaJson);
                root = doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new FormatException("the schema is not valid JSON: " + e.Message, e);
            }
            CheckSchema(root, "");
            return new JsonSchemaSubset(root);
        }

        /// <summary>The root schema (for descriptions in messages).</summary>
        public JsonElement Root => root;

        /// <summary>The "description" of property <paramref name="name"/> of the root object, or null.</summary>
        public string DescriptionOf(string name)
        {
            if (root.TryGetProperty("properties", out var props) && props.TryGetProperty(name, out var s)
                && s.ValueKind == JsonValueKind.Object && s.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String)
                return d.GetString();
            return null;
        }

        static void CheckSchema(JsonElement s, string at)
        {
            if (s.ValueKind != JsonValueKind.Object) throw new FormatException($"schema {Where(at)}: a schema must be an object");
            foreach (var p in s.EnumerateObject())
            {
                if (!Keywords.Contains(p.Name))
                    throw new FormatException($"schema {Where(at)}: keyword '{p.Name}' is not supported by Mote's validator (supported: {string.Join(", ", Keywords.OrderBy(k => k, StringComparer.Ordinal))})");
                switch (p.Name)
                {
                    case "type":
                        foreach (var t in p.Value.ValueKind == JsonValueKind.Array ? p.Value.EnumerateArray().ToArray() : new[] { p.Value })
                            if (t.ValueKind != JsonValueKind.String || !Types.Contains(t.GetString()))
                                throw new FormatException($"schema {Where(at)}: unknown type {t.GetRawText()}");
                        break;
                    case "properties":
                        foreach (var child in p.Value.EnumerateObject()) CheckSchema(child.Value, at + "/properties/" + child.Name);
                        break;
                    case "items":
                        CheckSchema(p.Value, at + "/items");
                        break;
                    case "additionalProperties":
                        if (p.Value.ValueKind != JsonValueKind.True && p.Value.ValueKind != JsonValueKind.False)
                            throw new FormatException($"schema {Where(at)}: additionalProperties must be true or false here");
                        break;
                    case "pattern":
                        try { _ = new Regex(p.Value.GetString()); }
                        catch (ArgumentException e) { throw new FormatException($"schema {Where(at)}: bad pattern: {e.Message}"); }
                        break;
                }
            }
        }

        static string Where(string pointer) => pointer.Length == 0 ? "(root)" : pointer;

        /// <summary>Every violation of <paramref name="instance"/>, in document order; empty when valid.</summary>
        public List<SchemaError> Validate(JsonElement instance)
        {
            var errors = new List<SchemaError>();
            Validate(root, instance, "", errors);
            return errors;
        }

        static void Validate(JsonElement s, JsonElement v, string at, List<SchemaError> errors)
        {
            if (s.TryGetProperty("type", out var type) && !TypeMatches(type, v))
            {
                errors.Add(new SchemaError(at, $"expected {TypeText(type)}, got {Describe(v)}"));
                return; // the other keywords would only repeat the type error
            }
            if (s.TryGetProperty("const", out var c) && !JsonEquals(c, v))
                errors.Add(new SchemaError(at, $"must be {c.GetRawText()}, got {Describe(v)}"));
            if (s.TryGetProperty("enum", out var en) && !en.EnumerateArray().Any(x => JsonEquals(x, v)))
                errors.Add(new SchemaError(at, $"must be one of {string.Join(", ", en.EnumerateArray().Select(x => x.GetRawText()))}; got {Describe(v)}"));

            switch (v.ValueKind)
            {
                case JsonValueKind.Number:
                    double d = v.GetDouble();
                    if (s.TryGetProperty("minimum", out var min) && d < min.GetDouble())
                        errors.Add(new SchemaError(at, $"must be >= {min.GetRawText()}, got {v.GetRawText()}"));
                    if (s.TryGetProperty("maximum", out var max) && d > max.GetDouble())
                        errors.Add(new SchemaError(at, $"must be <= {max.GetRawText()}, got {v.GetRawText()}"));
                    if (s.TryGetProperty("exclusiveMinimum", out var xmin) && d <= xmin.GetDouble())
                        errors.Add(new SchemaError(at, $"must be > {xmin.GetRawText()}, got {v.GetRawText()}"));
                    if (s.TryGetProperty("exclusiveMaximum", out var xmax) && d >= xmax.GetDouble())
                        errors.Add(new SchemaError(at, $"must be < {xmax.GetRawText()}, got {v.GetRawText()}"));
                    break;
                case JsonValueKind.String:
                    string str = v.GetString();
                    int len = new StringInfo(str).LengthInTextElements;
                    if (s.TryGetProperty("minLength", out var minLen) && len < minLen.GetInt32())
                        errors.Add(new SchemaError(at, $"must be at least {minLen.GetInt32()} characters, got {len}"));
                    if (s.TryGetProperty("maxLength", out var maxLen) && len > maxLen.GetInt32())
                        errors.Add(new SchemaError(at, $"must be at most {maxLen.GetInt32()} characters, got {len}"));
                    if (s.TryGetProperty("pattern", out var pat) && !Regex.IsMatch(str, pat.GetString()))
                        errors.Add(new SchemaError(at, $"\"{str}\" does not match the pattern {pat.GetString()}"));
                    break;
                case JsonValueKind.Array:
                    var items = v.EnumerateArray().ToList();
                    if (s.TryGetProperty("minItems", out var minItems) && items.Count < minItems.GetInt32())
                        errors.Add(new SchemaError(at, $"needs at least {minItems.GetInt32()} item(s), has {items.Count}"));
                    if (s.TryGetProperty("maxItems", out var maxItems) && items.Count > maxItems.GetInt32())
                        errors.Add(new SchemaError(at, $"allows at most {maxItems.GetInt32()} item(s), has {items.Count}"));
                    if (s.TryGetProperty("uniqueItems", out var unique) && unique.ValueKind == JsonValueKind.True)
                        for (int i = 0; i < items.Count; i++)
                            for (int j = 0; j < i; j++)
                                if (JsonEquals(items[i], items[j]))
                                    errors.Add(new SchemaError($"{at}/{i}", $"repeats item {j} ({items[i].GetRawText()})"));
                    if (s.TryGetProperty("items", out var itemSchema))
                        for (int i = 0; i < items.Count; i++) Validate(itemSchema, items[i], $"{at}/{i}", errors);
                    break;
                case JsonValueKind.Object:
                    s.TryGetProperty("properties", out var props);
                    if (s.TryGetProperty("required", out var required))
                        foreach (var r in required.EnumerateArray())
                            if (!v.TryGetProperty(r.GetString(), out _))
                            {
                                string what = props.ValueKind == JsonValueKind.Object && props.TryGetProperty(r.GetString(), out var ps)
                                    && ps.TryGetProperty("description", out var desc) ? $" ({desc.GetString()})" : "";
                                errors.Add(new SchemaError($"{at}/{r.GetString()}", $"required field '{r.GetString()}' is missing{what}"));
                            }
                    bool closed = s.TryGetProperty("additionalProperties", out var ap) && ap.ValueKind == JsonValueKind.False;
                    foreach (var p in v.EnumerateObject())
                    {
                        if (props.ValueKind == JsonValueKind.Object && props.TryGetProperty(p.Name, out var ps))
                            Validate(ps, p.Value, $"{at}/{p.Name}", errors);
                        else if (closed)
                        {
                            var allowed = props.ValueKind == JsonValueKind.Object ? props.EnumerateObject().Select(x => x.Name) : Enumerable.Empty<string>();
                            errors.Add(new SchemaError($"{at}/{p.Name}", $"unknown field '{p.Name}' (a typo? allowed: {string.Join(", ", allowed)})"));
                        }
                    }
                    break;
            }
        }

        static bool TypeMatches(JsonElement type, JsonElement v)
        {
            if (type.ValueKind == JsonValueKind.Array) return type.EnumerateArray().Any(t => TypeMatches(t, v));
            switch (type.GetString())
            {
                case "object": return v.ValueKind == JsonValueKind.Object;
                case "array": return v.ValueKind == JsonValueKind.Array;
                case "string": return v.ValueKind == JsonValueKind.String;
                case "number": return v.ValueKind == JsonValueKind.Number;
                case "integer": return v.ValueKind == JsonValueKind.Number && IsInteger(v);
                case "boolean": return v.ValueKind == JsonValueKind.True || v.ValueKind == JsonValueKind.False;
                case "null": return v.ValueKind == JsonValueKind.Null;
                default: return false;
            }
        }

        /// <summary>JSON Schema's integer: any number with a zero fractional part (1.0 counts).</summary>
        static bool IsInteger(JsonElement v) => v.TryGetInt64(out _) || (v.TryGetDouble(out double d) && Math.Floor(d) == d && !double.IsInfinity(d));

        static string TypeText(JsonElement type) => type.ValueKind == JsonValueKind.Array
            ? string.Join(" or ", type.EnumerateArray().Select(t => t.GetString())) : AOrAn(type.GetString());

        static string AOrAn(string t) => (t == "integer" || t == "object" || t == "array" ? "an " : "a ") + t;

        static string Describe(JsonElement v)
        {
            string raw = v.GetRawText();
            if (raw.Length > 40) raw = raw.Substring(0, 37) + "...";
            return v.ValueKind switch
            {
                JsonValueKind.String => "the string " + raw,
                JsonValueKind.Number => (IsInteger(v) ? "the integer " : "the number ") + raw,
                JsonValueKind.True or JsonValueKind.False => "the boolean " + raw,
                JsonValueKind.Null => "null",
                JsonValueKind.Array => "an array",
                JsonValueKind.Object => "an object",
                _ => raw,
            };
        }

        /// <summary>JSON equality (numbers by value, objects by members regardless of order).</summary>
        static bool JsonEquals(JsonElement a, JsonElement b)
        {
            if (a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number) return a.GetDouble() == b.GetDouble();
            if (a.ValueKind != b.ValueKind) return false;
            switch (a.ValueKind)
            {
                case JsonValueKind.String: return a.GetString() == b.GetString();
                case JsonValueKind.Array:
                    var x = a.EnumerateArray().ToList();
                    var y = b.EnumerateArray().ToList();
                    return x.Count == y.Count && x.Zip(y).All(p => JsonEquals(p.First, p.Second));
                case JsonValueKind.Object:
                    var xo = a.EnumerateObject().ToList();
                    return xo.Count == b.EnumerateObject().Count()
                        && xo.All(p => b.TryGetProperty(p.Name, out var q) && JsonEquals(p.Value, q));
                default: return true; // true, false, null
            }
        }
    }
}
