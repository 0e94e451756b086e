using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Google.Protobuf;
using Mote.Packer.Onnx;
using Mote.Packer.Onnx.Proto;

namespace Mote.Packer.Tests.Onnx
{
    /// <summary>How <see cref="OnnxBuilder"/> stores a tensor's elements.</summary>
    public enum OnnxStorage
    {
        /// <summary>raw_data, fixed-width little-endian (what onnx.numpy_helper and PyTorch's exporter write).</summary>
        Raw,
        /// <summary>The typed field ONNX assigns to the type: float_data, int32_data (8/16-bit types too), int64_data, double_data.</summary>
        Typed,
    }

    /// <summary>
    /// Builds small ONNX models in memory for tests, serialized with the classes generated from onnx_subset.proto:
    /// <code>
    /// byte[] onnx = new OnnxBuilder(opset: 13)
    ///     .Input("x", OnnxDataType.Float, 1, 1, 8, 8)
    ///     .Initializer("w", new[] { 8, 1, 3, 3 }, weights)
    ///     .Node("Conv", new[] { "x", "w" }, new[] { "y" }, "conv1", ("pads", new long[] { 1, 1, 1, 1 }), ("group", 1))
    ///     .Output("y", OnnxDataType.Float, 1, 8, 8, 8)
    ///     .Build();
    /// </code>
    /// Nothing is validated here, so tests can build broken models on purpose; <see cref="Model"/> and
    /// <see cref="Graph"/> expose the protobuf objects for edits the fluent methods do not cover.
    /// Attribute values map by C# type: int/long → INT, float/double → FLOAT, string → STRING, int[]/long[] → INTS,
    /// float[] → FLOATS, string[] → STRINGS, TensorProto → TENSOR, GraphProto or OnnxBuilder → GRAPH,
    /// TensorProto[] → TENSORS, GraphProto[] → GRAPHS; an AttributeProto is used as given (its name is set).
    /// </summary>
    public sealed class OnnxBuilder
    {
        /// <summary>The model being built (ir_version, opset_import, producer already filled in).</summary>
        public ModelProto Model { get; }
        /// <summary>The main graph (name "main").</summary>
        public GraphProto Graph => Model.Graph;

        public OnnxBuilder(long opset = 13, long irVersion = 8, string producer = "mote-tests")
        {
            Model = new ModelProto
            {
                IrVersion = irVersion,
                ProducerName = producer,
                ProducerVersion = "1.0",
                Graph = new GraphProto { Name = "main" },
            };
            if (opset > 0) Model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        }

        /// <summary>Imports another operator set (e.g. "com.microsoft", 1).</summary>
        public OnnxBuilder Opset(string domain, long version)
        {
            Model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
            return this;
        }

        public OnnxBuilder Input(string name, OnnxDataType type, params long[] dims) { Graph.Input.Add(ValueInfo(name, type, Dims(dims))); return this; }
        public OnnxBuilder Output(string name, OnnxDataType type, params long[] dims) { Graph.Output.Add(ValueInfo(name, type, Dims(dims))); return this; }
        public OnnxBuilder Value(string name, OnnxDataType type, params long[] dims) { Graph.ValueInfo.Add(ValueInfo(name, type, Dims(dims))); return this; }

        /// <summary>An input whose dimensions are numbers (int/long) or symbolic names (string), e.g. ("batch", 3, 224, 224).</summary>
        public OnnxBuilder InputSymbolic(string name, OnnxDataType type, params object[] dims) { Graph.Input.Add(ValueInfo(name, type, Dims(dims))); return this; }

        /// <summary>An input without shape (rank unknown).</summary>
        public OnnxBuilder InputUnranked(string name, OnnxDataType type) { Graph.Input.Add(ValueInfo(name, type, null)); return this; }

        public OnnxBuilder Initializer(string name, int[] dims, float[] data, OnnxStorage storage = OnnxStorage.Raw) => Initializer(Tensor(name, dims, data, storage));
        public OnnxBuilder Initializer(string name, int[] dims, double[] data, OnnxStorage storage = OnnxStorage.Raw) => Initializer(Tensor(name, dims, data, storage));
        public OnnxBuilder Initializer(string name, int[] dims, Half[] data, OnnxStorage storage = OnnxStorage.Raw) => Initializer(Tensor(name, dims, data, storage));
        public OnnxBuilder Initializer(string name, int[] dims, sbyte[] data, OnnxStorage storage = OnnxStorage.Raw) => Initializer(Tensor(name, dims, data, storage));
        public OnnxBuilder Initializer(string name, int[] dims, byte[] data, OnnxStorage storage = OnnxStorage.Raw) => Initializer(Tensor(name, dims, data, storage));
        public OnnxBuilder Initializer(string name, int[] dims, short[] data, OnnxStorage storage = OnnxStorage.Raw) => Initializer(Tensor(name, dims, data, storage));
        public OnnxBuilder Initializer(string name, int[] dims, int[] data, OnnxStorage storage = OnnxStorage.Raw) => Initializer(Tensor(name, dims, data, storage));
        public OnnxBuilder Initializer(string name, int[] dims, long[] data, OnnxStorage storage = OnnxStorage.Raw) => Initializer(Tensor(name, dims, data, storage));

        /// <summary>A rank-0 FLOAT initializer.</summary>
        public OnnxBuilder Scalar(string name, float value, OnnxStorage storage = OnnxStorage.Raw) => Initializer(name, Array.Empty<int>(), new[] { value }, storage);
        /// <summary>A rank-0 INT64 initializer.</summary>
        public OnnxBuilder Scalar(string name, long value, OnnxStorage storage = OnnxStorage.Raw) => Initializer(name, Array.Empty<int>(), new[] { value }, storage);

        public OnnxBuilder Initializer(TensorProto tensor) { Graph.Initializer.Add(tensor); return this; }

        /// <summary>Adds a node in the default domain; attributes as (name, value) pairs (see the class remarks).</summary>
        public OnnxBuilder Node(string opType, string[] inputs, string[] outputs, string name = null, params (string Name, object Value)[] attrs)
        {
            var node = new NodeProto { OpType = opType, Name = name ?? "" };
            node.Input.AddRange(inputs);
            node.Output.AddRange(outputs);
            foreach (var (attrName, value) in attrs) node.Attribute.Add(Attribute(attrName, value));
            Graph.Node.Add(node);
            return this;
        }

        public OnnxBuilder Node(NodeProto node) { Graph.Node.Add(node); return this; }

        /// <summary>Sets the domain of the node added last (e.g. "com.microsoft").</summary>
        public OnnxBuilder Domain(string domain)
        {
            Graph.Node[Graph.Node.Count - 1].Domain = domain;
            return this;
        }

        /// <summary>Applies any edit to the protobuf model.</summary>
        public OnnxBuilder Tweak(Action<ModelProto> edit) { edit(Model); return this; }

        /// <summary>The serialized model (an .onnx file's bytes).</summary>
        public byte[] Build() => Model.ToByteArray();

        /// <summary>Builds and reads the model back with <see cref="OnnxModel.Parse"/>.</summary>
        public OnnxModel Parse(string fileName = "test.onnx") => OnnxModel.Parse(Build(), fileName);

        /// <summary>Writes the model to <paramref name="path"/> and returns the path.</summary>
        public string Save(string path)
        {
            File.WriteAllBytes(path, Build());
            return path;
        }

        // ---- Protobuf pieces ----

        static TensorShapeProto.Types.Dimension[] Dims(long[] dims) =>
            Array.ConvertAll(dims, d => new TensorShapeProto.Types.Dimension { DimValue = d });

        static TensorShapeProto.Types.Dimension[] Dims(object[] dims) => Array.ConvertAll(dims, d => d switch
        {
            string s => new TensorShapeProto.Types.Dimension { DimParam = s },
            null => new TensorShapeProto.Types.Dimension(),
            _ => new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d) },
        });

        /// <summary>A tensor-typed value info; <paramref name="dims"/> null = no shape.</summary>
        public static ValueInfoProto ValueInfo(string name, OnnxDataType type, TensorShapeProto.Types.Dimension[] dims)
        {
            var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type };
            if (dims != null)
            {
                tensorType.Shape = new TensorShapeProto();
                tensorType.Shape.Dim.AddRange(dims);
            }
            return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
        }

        static TensorProto NewTensor(string name, int[] dims, OnnxDataType type)
        {
            var t = new TensorProto { Name = name, DataType = (int)type };
            foreach (int d in dims) t.Dims.Add(d);
            return t;
        }

        static TensorProto Raw(TensorProto t, int count, int size, Action<byte[], int> write)
        {
            var bytes = new byte[count * size];
            for (int i = 0; i < count; i++) write(bytes, i);
            t.RawData = ByteString.CopyFrom(bytes);
            return t;
        }

        public static TensorProto Tensor(string name, int[] dims, float[] data, OnnxStorage storage = OnnxStorage.Raw)
        {
            var t = NewTensor(name, dims, OnnxDataType.Float);
            if (storage == OnnxStorage.Typed) { t.FloatData.AddRange(data); return t; }
            return Raw(t, data.Length, 4, (b, i) => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), data[i]));
        }

        public static TensorProto Tensor(string name, int[] dims, double[] data, OnnxStorage storage = OnnxStorage.Raw)
        {
            var t = NewTensor(name, dims, OnnxDataType.Double);
            if (storage == OnnxStorage.Typed) { t.DoubleData.AddRange(data); return t; }
            return Raw(t, data.Length, 8, (b, i) => BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(8 * i), data[i]));
        }

        public static TensorProto Tensor(string name, int[] dims, Half[] data, OnnxStorage storage = OnnxStorage.Raw)
        {
            var t = NewTensor(name, dims, OnnxDataType.Float16);
            if (storage == OnnxStorage.Typed) { foreach (var h in data) t.Int32Data.Add(BitConverter.HalfToUInt16Bits(h)); return t; }
            return Raw(t, data.Length, 2, (b, i) => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2 * i), BitConverter.HalfToUInt16Bits(data[i])));
        }

        public static TensorProto Tensor(string name, int[] dims, sbyte[] data, OnnxStorage storage = OnnxStorage.Raw)
        {
            var t = NewTensor(name, dims, OnnxDataType.Int8);
            if (storage == OnnxStorage.Typed) { foreach (var v in data) t.Int32Data.Add(v); return t; }
            return Raw(t, data.Length, 1, (b, i) => b[i] = unchecked((byte)data[i]));
        }

        public static TensorProto Tensor(string name, int[] dims, byte[] data, OnnxStorage storage = OnnxStorage.Raw)
        {
            var t = NewTensor(name, dims, OnnxDataType.UInt8);
            if (storage == OnnxStorage.Typed) { foreach (var v in data) t.Int32Data.Add(v); return t; }
            return Raw(t, data.Length, 1, (b, i) => b[i] = data[i]);
        }

        public static TensorProto Tensor(string name, int[] dims, short[] data, OnnxStorage storage = OnnxStorage.Raw)
        {
            var t = NewTensor(name, dims, OnnxDataType.Int16);
            if (storage == OnnxStorage.Typed) { foreach (var v in data) t.Int32Data.Add(v); return t; }
            return Raw(t, data.Length, 2, (b, i) => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(2 * i), data[i]));
        }

        public static TensorProto Tensor(string name, int[] dims, int[] data, OnnxStorage storage = OnnxStorage.Raw)
        {
            var t = NewTensor(name, dims, OnnxDataType.Int32);
            if (storage == OnnxStorage.Typed) { t.Int32Data.AddRange(data); return t; }
            return Raw(t, data.Length, 4, (b, i) => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4 * i), data[i]));
        }

        public static TensorProto Tensor(string name, int[] dims, long[] data, OnnxStorage storage = OnnxStorage.Raw)
        {
            var t = NewTensor(name, dims, OnnxDataType.Int64);
            if (storage == OnnxStorage.Typed) { t.Int64Data.AddRange(data); return t; }
            return Raw(t, data.Length, 8, (b, i) => BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(8 * i), data[i]));
        }

        /// <summary>An AttributeProto with its type field set from the C# type of <paramref name="value"/>.</summary>
        public static AttributeProto Attribute(string name, object value)
        {
            var a = new AttributeProto { Name = name };
            switch (value)
            {
                case AttributeProto given:
                    given.Name = name;
                    return given;
                case int i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
                case long l: a.Type = AttributeProto.Types.AttributeType.Int; a.I = l; break;
                case float f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f; break;
                case double d: a.Type = AttributeProto.Types.AttributeType.Float; a.F = (float)d; break;
                case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s); break;
                case int[] ints: a.Type = AttributeProto.Types.AttributeType.Ints; foreach (int v in ints) a.Ints.Add(v); break;
                case long[] longs: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(longs); break;
                case float[] floats: a.Type = AttributeProto.Types.AttributeType.Floats; a.Floats.AddRange(floats); break;
                case string[] strings:
                    a.Type = AttributeProto.Types.AttributeType.Strings;
                    foreach (string s in strings) a.Strings.Add(ByteString.CopyFromUtf8(s));
                    break;
                case TensorProto t: a.Type = AttributeProto.Types.AttributeType.Tensor; a.T = t; break;
                case TensorProto[] ts: a.Type = AttributeProto.Types.AttributeType.Tensors; a.Tensors.AddRange(ts); break;
                case GraphProto g: a.Type = AttributeProto.Types.AttributeType.Graph; a.G = g; break;
                case OnnxBuilder b: a.Type = AttributeProto.Types.AttributeType.Graph; a.G = b.Graph; break;
                case GraphProto[] gs: a.Type = AttributeProto.Types.AttributeType.Graphs; a.Graphs.AddRange(gs); break;
                default: throw new ArgumentException("no ONNX attribute type for " + (value?.GetType().Name ?? "null"), nameof(value));
            }
            return a;
        }
    }

    /// <summary>
    /// Writes protobuf wire format by hand, for encodings the generated serializer never produces (unpacked
    /// float_data, packed attribute ints, unknown fields, overlong varints). Field numbers are the ONNX ones.
    /// </summary>
    public sealed class ProtoWriter
    {
        readonly MemoryStream _out = new MemoryStream();

        public byte[] ToArray() => _out.ToArray();

        public ProtoWriter Varint(ulong v)
        {
            while (v >= 0x80) { _out.WriteByte((byte)(v | 0x80)); v >>= 7; }
            _out.WriteByte((byte)v);
            return this;
        }

        public ProtoWriter Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

        /// <summary>A varint field (wire type 0); negative values as 10-byte two's complement, as protobuf does.</summary>
        public ProtoWriter Int(int field, long value) => Tag(field, 0).Varint(unchecked((ulong)value));

        public ProtoWriter Fixed32(int field, float value)
        {
            Tag(field, 5);
            var b = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, value);
            _out.Write(b, 0, 4);
            return this;
        }

        public ProtoWriter Bytes(int field, byte[] value)
        {
            Tag(field, 2).Varint((ulong)value.Length);
            _out.Write(value, 0, value.Length);
            return this;
        }

        public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

        /// <summary>Repeated varints as one packed field.</summary>
        public ProtoWriter PackedInts(int field, params long[] values)
        {
            var inner = new ProtoWriter();
            foreach (long v in values) inner.Varint(unchecked((ulong)v));
            return Bytes(field, inner.ToArray());
        }

        /// <summary>Repeated floats as one packed field.</summary>
        public ProtoWriter PackedFloats(int field, params float[] values)
        {
            var b = new byte[4 * values.Length];
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), values[i]);
            return Bytes(field, b);
        }

        /// <summary>Raw bytes appended as they are.</summary>
        public ProtoWriter Raw(params byte[] bytes)
        {
            _out.Write(bytes, 0, bytes.Length);
            return this;
        }
    }

    /// <summary>Models shared by the ONNX reader tests.</summary>
    public static class OnnxTestModels
    {
        /// <summary>Deterministic pseudo-random floats in [-1, 1).</summary>
        public static float[] Floats(int count, int seed = 1)
        {
            var rng = new Random(seed);
            var data = new float[count];
            for (int i = 0; i < count; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
            return data;
        }

        /// <summary>
        /// A small model exercising most of the format: Conv (raw FLOAT weights, typed bias, INTS/INT attributes) →
        /// LeakyRelu (FLOAT attribute) → Reshape (INT64 shape) → QuantizeLinear (scalar scale, INT8 zero point) →
        /// DequantizeLinear; a Constant node with a TENSOR attribute; an If node with two nested graphs.
        /// </summary>
        public static OnnxBuilder Rich()
        {
            var thenBranch = new OnnxBuilder(opset: 0)
                .Initializer("then_c", new[] { 1 }, new[] { 1f })
                .Node("Identity", new[] { "then_c" }, new[] { "then_out" }, "then_id")
                .Output("then_out", OnnxDataType.Float, 1);
            thenBranch.Graph.Name = "then";
            var elseBranch = new OnnxBuilder(opset: 0)
                .Node("Constant", Array.Empty<string>(), new[] { "else_out" }, "else_const",
                      ("value", OnnxBuilder.Tensor("", new[] { 1 }, new[] { 2f })))
                .Output("else_out", OnnxDataType.Float, 1);
            elseBranch.Graph.Name = "else";

            return new OnnxBuilder(opset: 13)
                .Opset("com.microsoft", 1)
                .InputSymbolic("x", OnnxDataType.Float, "batch", 1, 8, 8)
                .Input("cond", OnnxDataType.Bool)
                .Initializer("w", new[] { 4, 1, 3, 3 }, Floats(36))
                .Initializer("b", new[] { 4 }, Floats(4, seed: 2), OnnxStorage.Typed)
                .Initializer("shape", new[] { 2 }, new long[] { -1, 256 })
                .Scalar("scale", 0.05f)
                .Initializer("zp", Array.Empty<int>(), new sbyte[] { -3 })
                .Node("Conv", new[] { "x", "w", "b" }, new[] { "c" }, "conv1",
                      ("pads", new long[] { 1, 1, 1, 1 }), ("strides", new long[] { 1, 1 }), ("group", 1),
                      ("kernel_shape", new long[] { 3, 3 }))
                .Node("LeakyRelu", new[] { "c" }, new[] { "r" }, "lrelu", ("alpha", 0.1f))
                .Node("Reshape", new[] { "r", "shape" }, new[] { "flat" }, "reshape")
                .Node("QuantizeLinear", new[] { "flat", "scale", "zp" }, new[] { "q" }, "quant")
                .Node("DequantizeLinear", new[] { "q", "scale", "zp" }, new[] { "y" }, "dequant")
                .Node("Constant", Array.Empty<string>(), new[] { "k" }, "const",
                      ("value", OnnxBuilder.Tensor("", new[] { 2 }, new long[] { 7, 8 })))
                .Node("If", new[] { "cond" }, new[] { "z" }, "if1", ("then_branch", thenBranch), ("else_branch", elseBranch))
                .Output("y", OnnxDataType.Float, -1, 256)
                .Output("z", OnnxDataType.Float, 1)
                .Value("c", OnnxDataType.Float, 1, 4, 8, 8);
        }
    }
}
