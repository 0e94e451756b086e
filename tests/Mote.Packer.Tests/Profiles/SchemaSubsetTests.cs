using System;
using System.Linq;
using System.Text.Json;
using Mote.Packer.Profiles;
using Xunit;

namespace Mote.Packer.Tests.Profiles
{
    /// <summary>The JSON Schema subset validator the profile loader runs the schema file with.</summary>
    public class SchemaSubsetTests
    {
        static string[] Errors(string schema, string instance)
        {
            using var doc = JsonDocument.Parse(instance);
            return JsonSchemaSubset.Parse(schema).Validate(doc.RootElement).Select(e => $"{e.Pointer}: {e.Message}").ToArray();
        }

        [Theory]
        [InlineData("{\"oneOf\": []}", "keyword 'oneOf' is not supported")]
        [InlineData("{\"properties\": {\"a\": {\"default\": 1}}}", "schema /properties/a: keyword 'default' is not supported")]
        [InlineData("{\"type\": \"int\"}", "unknown type \"int\"")]
        [InlineData("{\"additionalProperties\": {\"type\": \"string\"}}", "additionalProperties must be true or false")]
        [InlineData("{\"pattern\": \"[\"}", "bad pattern")]
        [InlineData("[]", "a schema must be an object")]
        public void Parse_UnsupportedSchema_RejectedNamingWhere(string schema, string expected)
        {
            var e = Assert.Throws<FormatException>(() => JsonSchemaSubset.Parse(schema));
            Assert.Contains(expected, e.Message);
        }

        [Fact]
        public void Validate_IntegerAcceptsWholeNumbersOnly()
        {
            const string s = "{\"type\": \"integer\"}";
            Assert.Empty(Errors(s, "16"));
            Assert.Empty(Errors(s, "16.0"));
            Assert.Equal(new[] { ": expected an integer, got the number 16.5" }, Errors(s, "16.5"));
        }

        [Fact]
        public void Validate_TypeList_AcceptsAnyListed()
        {
            const string s = "{\"type\": [\"string\", \"null\"]}";
            Assert.Empty(Errors(s, "null"));
            Assert.Equal(new[] { ": expected string or null, got the boolean true" }, Errors(s, "true"));
        }

        [Fact]
        public void Validate_NumberBounds()
        {
            const string s = "{\"type\": \"number\", \"minimum\": 1, \"exclusiveMaximum\": 10}";
            Assert.Empty(Errors(s, "1"));
            Assert.Equal(new[] { ": must be >= 1, got 0.5" }, Errors(s, "0.5"));
            Assert.Equal(new[] { ": must be < 10, got 10" }, Errors(s, "10"));
        }

        [Fact]
        public void Validate_NestedArrayItems_PointerHasIndex()
        {
            const string s = "{\"type\": \"object\", \"properties\": {\"xs\": {\"type\": \"array\", \"maxItems\": 2, \"items\": {\"enum\": [4, 8]}}}}";
            Assert.Equal(new[] { "/xs: allows at most 2 item(s), has 3", "/xs/1: must be one of 4, 8; got the integer 5" }, Errors(s, "{\"xs\": [4, 5, 8]}"));
        }

        [Fact]
        public void Validate_Const_AndEnumCompareNumbersByValue()
        {
            Assert.Empty(Errors("{\"const\": 16}", "16.0"));
            Assert.Empty(Errors("{\"enum\": [{\"a\": [1, 2]}]}", "{\"a\": [1.0, 2]}"));
            Assert.Equal(new[] { ": must be \"x\", got the string \"y\"" }, Errors("{\"const\": \"x\"}", "\"y\""));
        }

        [Fact]
        public void Validate_MissingRequired_IncludesFieldDescription()
        {
            const string s = "{\"type\": \"object\", \"required\": [\"a\"], \"properties\": {\"a\": {\"description\": \"the a\"}}}";
            Assert.Equal(new[] { "/a: required field 'a' is missing (the a)" }, Errors(s, "{}"));
        }
    }
}
