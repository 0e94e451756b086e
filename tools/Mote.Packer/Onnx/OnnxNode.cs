using System;
using System.Collections.Generic;

namespace Mote.Packer.Onnx
{
    /// <summary>ONNX AttributeProto.AttributeType (numbers as in the ONNX schema).</summary>
    public enum OnnxAttributeType
    {
        Undefined = 0,
        Float = 1,
        Int = 2,
        String = 3,
        Tensor = 4,
        Graph = 5,
        Floats = 6,
        Ints = 7,
        Strings = 8,
        Tensors = 9,
        Graphs = 10,
        SparseTensor = 11,
        SparseTensors = 12,
        TypeProto = 13,
        TypeProtos = 14,
    }

    /// <summary>
    /// One attribute of a node. Only the member matching <see cref="Type"/> is meaningful; the others keep their
    /// defaults (0, "", null, empty arrays). The type comes from the file's type field, or, for old files without
    /// it, from the one value field that is set. Sparse-tensor and type-proto attributes keep only their type.
    /// </summary>
    public sealed class OnnxAttribute
    {
        public string Name { get; init; } = "";
        public OnnxAttributeType Type { get; init; }
        public float F { get; init; }
        public long I { get; init; }
        /// <summary>The STRING value decoded as UTF-8 (invalid sequences become U+FFFD); <see cref="SBytes"/> has the bytes.</summary>
        public string S { get; init; } = "";
        public byte[] SBytes { get; init; } = Array.Empty<byte>();
        public OnnxTensor T { get; init; }
        /// <summary>A GRAPH value (If/Loop/Scan bodies), read and checked like the main graph.</summary>
        public OnnxGraph G { get; init; }
        public float[] Floats { get; init; } = Array.Empty<float>();
        public long[] Ints { get; init; } = Array.Empty<long>();
        public string[] Strings { get; init; } = Array.Empty<string>();
        public OnnxTensor[] Tensors { get; init; } = Array.Empty<OnnxTensor>();
        public OnnxGraph[] Graphs { get; init; } = Array.Empty<OnnxGraph>();
        public string DocString { get; init; } = "";

        /// <summary>The ONNX spelling of an attribute type ("INTS", ...).</summary>
        public static string TypeName(OnnxAttributeType type)
        {
            switch (type)
            {
                case OnnxAttributeType.Undefined: return "UNDEFINED";
                case OnnxAttributeType.Float: return "FLOAT";
                case OnnxAttributeType.Int: return "INT";
                case OnnxAttributeType.String: return "STRING";
                case OnnxAttributeType.Tensor: return "TENSOR";
                case OnnxAttributeType.Graph: return "GRAPH";
                case OnnxAttributeType.Floats: return "FLOATS";
                case OnnxAttributeType.Ints: return "INTS";
                case OnnxAttributeType.Strings: return "STRINGS";
                case OnnxAttributeType.Tensors: return "TENSORS";
                case OnnxAttributeType.Graphs: return "GRAPHS";
                case OnnxAttributeType.SparseTensor: return "SPARSE_TENSOR";
                case OnnxAttributeType.SparseTensors: return "SPARSE_TENSORS";
                case OnnxAttributeType.TypeProto: return "TYPE_PROTO";
                case OnnxAttributeType.TypeProtos: return "TYPE_PROTOS";
                default: return "attribute type " + (int)type;
            }
        }

        public override string ToString() => Name + ": " + TypeName(Type);
    }

    /// <summary>
    /// One node (operator application) of a graph. Inputs and outputs are value names; "" stands for an omitted
    /// optional input or output. The typed getters return the fallback when the attribute is absent and throw
    /// <see cref="OnnxFormatException"/> naming the node and attribute when it is present with another type.
    /// </summary>
    public sealed class OnnxNode
    {
        internal string File { get; init; } = "";
        /// <summary>For nodes of nested graphs: where the graph sits, e.g. <c>node 2 'loop' (Loop), attribute 'body': </c>; "" in the main graph.</summary>
        internal string Context { get; init; } = "";

        /// <summary>Position in <see cref="OnnxGraph.Nodes"/> (the file's order, which ONNX requires to be topological).</summary>
        public int Index { get; init; }
        public string Name { get; init; } = "";
        public string OpType { get; init; } = "";
        /// <summary>Operator domain; "" for the default ONNX domain (a file's "ai.onnx" is read as "").</summary>
        public string Domain { get; init; } = "";
        public string[] Inputs { get; init; } = Array.Empty<string>();
        public string[] Outputs { get; init; } = Array.Empty<string>();
        /// <summary>Attributes by name (names are unique: duplicates are rejected at parse).</summary>
        public IReadOnlyDictionary<string, OnnxAttribute> Attributes { get; init; } = new Dictionary<string, OnnxAttribute>();
        public string DocString { get; init; } = "";

        /// <summary>"node 3 'conv1' (Conv)"; "node 3 (Conv)" when unnamed; "(QLinearConv, domain com.microsoft)" outside the default domain.</summary>
        public string Describe => Format(Index, Name, OpType, Domain);

        internal static string Format(int index, string name, string opType, string domain) =>
            "node " + index + (name.Length > 0 ? " '" + name + "'" : "") + " (" + opType +
            (domain.Length > 0 ? ", domain " + domain : "") + ")";

        public override string ToString() => Describe;

        public bool Has(string name) => Attributes.ContainsKey(name);

        /// <summary>The attribute, or null when absent.</summary>
        public OnnxAttribute Find(string name) => Attributes.TryGetValue(name, out var a) ? a : null;

        public long GetInt(string name, long fallback) => Typed(name, OnnxAttributeType.Int)?.I ?? fallback;
        public float GetFloat(string name, float fallback) => Typed(name, OnnxAttributeType.Float)?.F ?? fallback;
        public string GetString(string name, string fallback) => Typed(name, OnnxAttributeType.String)?.S ?? fallback;
        public long[] GetInts(string name, long[] fallback) => Typed(name, OnnxAttributeType.Ints)?.Ints ?? fallback;
        public float[] GetFloats(string name, float[] fallback) => Typed(name, OnnxAttributeType.Floats)?.Floats ?? fallback;
        public string[] GetStrings(string name, string[] fallback) => Typed(name, OnnxAttributeType.Strings)?.Strings ?? fallback;
        /// <summary>A TENSOR attribute, or null when absent.</summary>
        public OnnxTensor GetTensor(string name) => Typed(name, OnnxAttributeType.Tensor)?.T;
        /// <summary>A GRAPH attribute, or null when absent.</summary>
        public OnnxGraph GetGraph(string name) => Typed(name, OnnxAttributeType.Graph)?.G;

        /// <summary>An error about this node: "file: node 3 'conv1' (Conv): detail".</summary>
        public OnnxFormatException Error(string detail) => new OnnxFormatException(File, Context + Describe + ": " + detail);

        OnnxAttribute Typed(string name, OnnxAttributeType expected)
        {
            if (!Attributes.TryGetValue(name, out var a)) return null;
            if (a.Type != expected)
                throw new OnnxFormatException(File, Context + Describe + ", attribute '" + name + "': is " +
                                                    OnnxAttribute.TypeName(a.Type) + ", expected " + OnnxAttribute.TypeName(expected));
            return a;
        }
    }
}
