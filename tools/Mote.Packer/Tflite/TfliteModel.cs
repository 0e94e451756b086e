using System;
using System.Globalization;

namespace Mote.Packer.Tflite
{
    /// <summary>
    /// A TensorFlow Lite model (schema table Model), read with <see cref="Parse"/> from the bytes of a .tflite file.
    /// Everything is verified while reading: any malformed structure or out-of-range index throws
    /// <see cref="TfliteFormatException"/> naming the file, byte offset and schema path.
    /// Absent vectors are empty arrays; absent strings are "" (except <see cref="OperatorCode.CustomCode"/>, null).
    /// </summary>
    public sealed class TfliteModel
    {
        /// <summary>The identifier at bytes 4..7 of every TFLite flatbuffer.</summary>
        public const string FileIdentifier = "TFL3";

        /// <summary>Schema version (3 for every current model).</summary>
        public uint Version { get; init; }
        public OperatorCode[] OperatorCodes { get; init; } = Array.Empty<OperatorCode>();
        public SubGraph[] Subgraphs { get; init; } = Array.Empty<SubGraph>();
        public TfliteBuffer[] Buffers { get; init; } = Array.Empty<TfliteBuffer>();
        public string Description { get; init; } = "";

        /// <summary>Parses and verifies a .tflite file. <paramref name="fileName"/> is used in messages only.</summary>
        /// <exception cref="TfliteFormatException">The bytes are not a well-formed TFLite model.</exception>
        public static TfliteModel Parse(byte[] data, string fileName) => Parse(data, fileName, -1);

        /// <summary>As <see cref="Parse(byte[], string)"/> with an explicit work budget (bytes visited or copied, plus a
        /// fixed cost per object; -1 = default 16x the file size + 1 MiB), the bound on effort for files whose offsets
        /// reference the same data over and over.</summary>
        public static TfliteModel Parse(byte[] data, string fileName, long workBudget)
        {
            if (data == null) throw new ArgumentNullException(nameof(data));
            fileName ??= "";
            try
            {
                return new ModelParser(data, fileName, workBudget).Parse();
            }
            catch (TfliteFormatException)
            {
                throw;
            }
            catch (Exception e) when (e is IndexOutOfRangeException || e is ArgumentException || e is OverflowException ||
                                      e is InvalidCastException || e is NullReferenceException || e is OutOfMemoryException ||
                                      e is InvalidOperationException)
            {
                // Defence in depth: the reader checks everything first, so this should never happen (the fuzz tests
                // assert that no exception carries an InnerException).
                throw new TfliteFormatException(fileName, -1, "", "internal error while reading the model: " + e.Message, e);
            }
        }
    }

    /// <summary>Schema table OperatorCode.</summary>
    public sealed class OperatorCode
    {
        /// <summary>The builtin operator: max(deprecated_builtin_code, builtin_code), as TFLite's GetBuiltinCode does
        /// (old v3 files only fill the 8-bit deprecated field; codes above 127 only fit the 32-bit field).</summary>
        public int BuiltinCode { get; init; }
        /// <summary>Raw deprecated_builtin_code (signed byte, default 0).</summary>
        public sbyte DeprecatedBuiltinCode { get; init; }
        /// <summary>Raw builtin_code (default 0 = ADD).</summary>
        public int RawBuiltinCode { get; init; }
        /// <summary>custom_code, or null when absent.</summary>
        public string CustomCode { get; init; }
        /// <summary>Operator version (schema default 1).</summary>
        public int Version { get; init; } = 1;

        public bool IsCustom => BuiltinCode == (int)BuiltinOperator.CUSTOM;

        /// <summary>"CONV_2D", or "CUSTOM:&lt;custom_code&gt;" for custom operators.</summary>
        public string DisplayName => IsCustom ? "CUSTOM:" + (CustomCode ?? "") : BuiltinOperators.Name(BuiltinCode);

        public override string ToString() => DisplayName;
    }

    /// <summary>Schema table SubGraph.</summary>
    public sealed class SubGraph
    {
        public TfliteTensor[] Tensors { get; init; } = Array.Empty<TfliteTensor>();
        public int[] Inputs { get; init; } = Array.Empty<int>();
        public int[] Outputs { get; init; } = Array.Empty<int>();
        public TfliteOperator[] Operators { get; init; } = Array.Empty<TfliteOperator>();
        public string Name { get; init; } = "";
    }

    /// <summary>Schema table Tensor.</summary>
    public sealed class TfliteTensor
    {
        /// <summary>Dimensions; empty for a scalar (or when absent).</summary>
        public int[] Shape { get; init; } = Array.Empty<int>();
        public TensorType Type { get; init; }
        /// <summary>Index into <see cref="TfliteModel.Buffers"/>; 0 is the conventional empty buffer.</summary>
        public int Buffer { get; init; }
        public string Name { get; init; } = "";
        /// <summary>Null when the tensor has no quantization table.</summary>
        public QuantizationParameters Quantization { get; init; }
        public bool IsVariable { get; init; }
        /// <summary>shape_signature (-1 = dynamic dimension); empty when absent.</summary>
        public int[] ShapeSignature { get; init; } = Array.Empty<int>();
        /// <summary>True when the tensor carries a sparsity table (sparse tensors are not modelled further).</summary>
        public bool IsSparse { get; init; }
        public bool HasRank { get; init; }
    }

    /// <summary>Schema table QuantizationParameters, as stored (per-axis when Scale has more than one entry).</summary>
    public sealed class QuantizationParameters
    {
        public float[] Min { get; init; } = Array.Empty<float>();
        public float[] Max { get; init; } = Array.Empty<float>();
        public float[] Scale { get; init; } = Array.Empty<float>();
        public long[] ZeroPoint { get; init; } = Array.Empty<long>();
        public int QuantizedDimension { get; init; }
        /// <summary>QuantizationDetails union member: 0 none, 1 CustomQuantization, 2 BlockwiseQuantization, 3 MultiAxisQuantization.</summary>
        public int DetailsType { get; init; }
    }

    /// <summary>Schema table Operator.</summary>
    public sealed class TfliteOperator
    {
        public int OpcodeIndex { get; init; }
        /// <summary>Tensor indices; -1 marks an absent optional input.</summary>
        public int[] Inputs { get; init; } = Array.Empty<int>();
        public int[] Outputs { get; init; } = Array.Empty<int>();
        public int[] Intermediates { get; init; } = Array.Empty<int>();
        /// <summary>BuiltinOptions union member (see <see cref="Tflite.BuiltinOptionsType"/>), 0 = none.</summary>
        public int BuiltinOptionsType { get; init; }
        /// <summary>Typed options (e.g. <see cref="Conv2DOptions"/>) with schema defaults applied; null when absent
        /// or of a type Mote does not model.</summary>
        public object BuiltinOptions { get; init; }
        /// <summary>BuiltinOptions2 union member (StableHLO options), 0 = none; not modelled further.</summary>
        public int BuiltinOptions2Type { get; init; }
        /// <summary>custom_options bytes (or the large-model out-of-flatbuffer custom options); empty when absent.</summary>
        public byte[] CustomOptions { get; init; } = Array.Empty<byte>();
        /// <summary>custom_options_format (0 = FLEXBUFFERS).</summary>
        public int CustomOptionsFormat { get; init; }

        public T Options<T>() where T : class => BuiltinOptions as T;
    }

    /// <summary>Schema table Buffer. <see cref="Offset"/>/<see cref="Size"/> are the stored fields of the large-model
    /// form (data after the flatbuffer, offset from the file start, valid when &gt; 1); <see cref="Data"/> is resolved
    /// from whichever form is used (empty when the buffer has no data).</summary>
    public sealed class TfliteBuffer
    {
        public byte[] Data { get; init; } = Array.Empty<byte>();
        public long Offset { get; init; }
        public long Size { get; init; }
        /// <summary>True when <see cref="Data"/> came from the out-of-flatbuffer (offset, size) form.</summary>
        public bool IsExternal => Offset > 1;
    }

    internal sealed class ModelParser
    {
        // Field numbers (declaration order in the schema; a union takes two: type then value).
        const int ModelVersion = 0, ModelOperatorCodes = 1, ModelSubgraphs = 2, ModelDescription = 3, ModelBuffers = 4;
        const int OcDeprecatedBuiltinCode = 0, OcCustomCode = 1, OcVersion = 2, OcBuiltinCode = 3;
        const int SgTensors = 0, SgInputs = 1, SgOutputs = 2, SgOperators = 3, SgName = 4;
        const int TShape = 0, TType = 1, TBuffer = 2, TName = 3, TQuantization = 4, TIsVariable = 5, TSparsity = 6,
                  TShapeSignature = 7, THasRank = 8;
        const int QMin = 0, QMax = 1, QScale = 2, QZeroPoint = 3, QDetailsType = 4, QQuantizedDimension = 6;
        const int OpOpcodeIndex = 0, OpInputs = 1, OpOutputs = 2, OpBuiltinOptionsType = 3, OpBuiltinOptions = 4,
                  OpCustomOptions = 5, OpCustomOptionsFormat = 6, OpIntermediates = 8, OpLargeCustomOptionsOffset = 9,
                  OpLargeCustomOptionsSize = 10, OpBuiltinOptions2Type = 11;
        const int BufData = 0, BufOffset = 1, BufSize = 2;

        readonly byte[] _data;
        readonly string _fileName;
        readonly FlatBufferReader _r;

        internal ModelParser(byte[] data, string fileName, long workBudget)
        {
            _data = data;
            _fileName = fileName;
            _r = new FlatBufferReader(data, fileName, workBudget);
        }

        static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

        internal TfliteModel Parse()
        {
            if (_data.Length == 0)
                throw _r.Error(0, "", "file is empty; not a TensorFlow Lite model");
            if (_data.Length < 8)
                throw _r.Error(0, "", "file is too small (" + I(_data.Length) + " bytes) to be a TensorFlow Lite flatbuffer");
            if (!_r.HasIdentifier(TfliteModel.FileIdentifier))
                throw _r.Error(4, "file_identifier",
                    "not a TensorFlow Lite flatbuffer: file identifier is '" + _r.FileIdentifier() + "' (" +
                    BitConverter.ToString(_data, 4, 4) + "), expected '" + TfliteModel.FileIdentifier + "'");
            if (_data.Length < 16)
                throw _r.Error(0, "", "file is too small (" + I(_data.Length) + " bytes) to hold a TensorFlow Lite model");

            FbTable root = _r.Root("");
            uint version = root.GetUInt32(ModelVersion, "version");

            FbVector ocVec = root.GetVector(ModelOperatorCodes, "operator_codes", 4);
            var opcodes = new OperatorCode[ocVec.IsPresent ? ocVec.Count : 0];
            for (int i = 0; i < opcodes.Length; i++) opcodes[i] = ReadOperatorCode(ocVec.GetTable(i));

            FbVector bufVec = root.GetVector(ModelBuffers, "buffers", 4);
            var buffers = new TfliteBuffer[bufVec.IsPresent ? bufVec.Count : 0];
            for (int i = 0; i < buffers.Length; i++) buffers[i] = ReadBuffer(bufVec.GetTable(i));

            FbVector sgVec = root.GetVector(ModelSubgraphs, "subgraphs", 4);
            var subgraphs = new SubGraph[sgVec.IsPresent ? sgVec.Count : 0];
            for (int i = 0; i < subgraphs.Length; i++) subgraphs[i] = ReadSubGraph(sgVec.GetTable(i), i, opcodes, buffers.Length);

            return new TfliteModel
            {
                Version = version,
                OperatorCodes = opcodes,
                Subgraphs = subgraphs,
                Buffers = buffers,
                Description = root.GetString(ModelDescription, "description") ?? "",
            };
        }

        OperatorCode ReadOperatorCode(FbTable t)
        {
            sbyte deprecated = t.GetSByte(OcDeprecatedBuiltinCode, "deprecated_builtin_code");
            int builtin = t.GetInt32(OcBuiltinCode, "builtin_code");
            return new OperatorCode
            {
                DeprecatedBuiltinCode = deprecated,
                RawBuiltinCode = builtin,
                BuiltinCode = Math.Max(builtin, deprecated),
                CustomCode = t.GetString(OcCustomCode, "custom_code"),
                Version = t.GetInt32(OcVersion, "version", 1),
            };
        }

        /// <summary>Checks an out-of-flatbuffer (offset, size) reference and copies the bytes.</summary>
        byte[] External(FbTable t, int offsetId, string offsetName, ulong offset, ulong size)
        {
            int fieldPos = t.FieldPosition(offsetId, 8, offsetName);
            string path = t.ChildPath(offsetName);
            if (offset > (ulong)_data.Length || size > (ulong)_data.Length - offset)
                throw _r.Error(fieldPos, path,
                    "out-of-flatbuffer data at offset " + offset.ToString(CultureInfo.InvariantCulture) + " with size " +
                    size.ToString(CultureInfo.InvariantCulture) + " runs past the end of the " + I(_data.Length) + "-byte file");
            return _r.Copy((long)offset, (long)size, path, "out-of-flatbuffer data");
        }

        TfliteBuffer ReadBuffer(FbTable t)
        {
            ulong offset = t.GetUInt64(BufOffset, "offset");
            ulong size = t.GetUInt64(BufSize, "size");
            byte[] data;
            if (offset > 1)
                data = External(t, BufOffset, "offset", offset, size);
            else
                data = t.GetBytes(BufData, "data");
            return new TfliteBuffer
            {
                Data = data,
                Offset = offset > long.MaxValue ? long.MaxValue : (long)offset,
                Size = size > long.MaxValue ? long.MaxValue : (long)size,
            };
        }

        SubGraph ReadSubGraph(FbTable t, int sgIndex, OperatorCode[] opcodes, int bufferCount)
        {
            FbVector tVec = t.GetVector(SgTensors, "tensors", 4);
            var tensors = new TfliteTensor[tVec.IsPresent ? tVec.Count : 0];
            for (int i = 0; i < tensors.Length; i++) tensors[i] = ReadTensor(tVec.GetTable(i), bufferCount);

            string sgName = "subgraph " + I(sgIndex);
            int[] inputs = ReadIndices(t.GetVector(SgInputs, "inputs", 4), tensors.Length, sgName + " input");
            int[] outputs = ReadIndices(t.GetVector(SgOutputs, "outputs", 4), tensors.Length, sgName + " output");

            FbVector opVec = t.GetVector(SgOperators, "operators", 4);
            var ops = new TfliteOperator[opVec.IsPresent ? opVec.Count : 0];
            for (int i = 0; i < ops.Length; i++) ops[i] = ReadOperator(opVec.GetTable(i), sgIndex, i, opcodes, tensors.Length);

            return new SubGraph
            {
                Tensors = tensors,
                Inputs = inputs,
                Outputs = outputs,
                Operators = ops,
                Name = t.GetString(SgName, "name") ?? "",
            };
        }

        /// <summary>Reads a vector of tensor indices, each of which must be -1 or a valid tensor of the subgraph.</summary>
        int[] ReadIndices(FbVector v, int tensorCount, string what)
        {
            int[] values = v.ToInt32Array();
            for (int i = 0; i < values.Length; i++)
            {
                int x = values[i];
                if (x != -1 && (x < 0 || x >= tensorCount))
                    throw _r.Error(v.DataPosition + 4L * i, v.Path,
                        what + " " + I(i) + " refers to tensor " + I(x) + ", out of range (the subgraph has " + I(tensorCount) +
                        " tensors; -1 marks an absent optional tensor)");
            }
            return values;
        }

        TfliteTensor ReadTensor(FbTable t, int bufferCount)
        {
            uint buffer = t.GetUInt32(TBuffer, "buffer");
            if (buffer != 0 && buffer >= (uint)bufferCount)
                throw _r.Error(t.FieldPosition(TBuffer, 4, "buffer"), t.ChildPath("buffer"),
                    "buffer index " + buffer.ToString(CultureInfo.InvariantCulture) + " is out of range (the model has " +
                    I(bufferCount) + " buffers)");

            QuantizationParameters q = null;
            FbTable? qt = t.GetTable(TQuantization, "quantization");
            if (qt.HasValue)
            {
                FbTable qq = qt.Value;
                q = new QuantizationParameters
                {
                    Min = qq.GetFloatVector(QMin, "min"),
                    Max = qq.GetFloatVector(QMax, "max"),
                    Scale = qq.GetFloatVector(QScale, "scale"),
                    ZeroPoint = qq.GetInt64Vector(QZeroPoint, "zero_point"),
                    DetailsType = qq.GetByte(QDetailsType, "details_type"),
                    QuantizedDimension = qq.GetInt32(QQuantizedDimension, "quantized_dimension"),
                };
            }

            return new TfliteTensor
            {
                Shape = t.GetInt32Vector(TShape, "shape"),
                Type = (TensorType)t.GetSByte(TType, "type"),
                Buffer = (int)buffer,
                Name = t.GetString(TName, "name") ?? "",
                Quantization = q,
                IsVariable = t.GetBool(TIsVariable, "is_variable"),
                IsSparse = t.GetReferencePosition(TSparsity, "sparsity") >= 0,
                ShapeSignature = t.GetInt32Vector(TShapeSignature, "shape_signature"),
                HasRank = t.GetBool(THasRank, "has_rank"),
            };
        }

        TfliteOperator ReadOperator(FbTable t, int sgIndex, int opIndex, OperatorCode[] opcodes, int tensorCount)
        {
            uint opcodeIndex = t.GetUInt32(OpOpcodeIndex, "opcode_index");
            if (opcodeIndex >= (uint)opcodes.Length)
                throw _r.Error(t.FieldPosition(OpOpcodeIndex, 4, "opcode_index"), t.ChildPath("opcode_index"),
                    "operator " + I(opIndex) + " of subgraph " + I(sgIndex) + ": opcode_index " +
                    opcodeIndex.ToString(CultureInfo.InvariantCulture) + " is out of range (the model has " + I(opcodes.Length) +
                    " operator codes)");
            string opName = "operator " + I(opIndex) + " (" + opcodes[opcodeIndex].DisplayName + ")";

            int[] inputs = ReadIndices(t.GetVector(OpInputs, "inputs", 4), tensorCount, opName + ": input");
            int[] outputs = ReadIndices(t.GetVector(OpOutputs, "outputs", 4), tensorCount, opName + ": output");
            int[] intermediates = ReadIndices(t.GetVector(OpIntermediates, "intermediates", 4), tensorCount, opName + ": intermediate");

            FbUnion u = t.GetUnion(OpBuiltinOptionsType, OpBuiltinOptions, "builtin_options");
            object options = u.Value.HasValue ? BuiltinOptionsReader.Read(u.Type, u.Value.Value) : null;

            ulong largeOffset = t.GetUInt64(OpLargeCustomOptionsOffset, "large_custom_options_offset");
            ulong largeSize = t.GetUInt64(OpLargeCustomOptionsSize, "large_custom_options_size");
            byte[] custom = largeOffset > 1
                ? External(t, OpLargeCustomOptionsOffset, "large_custom_options_offset", largeOffset, largeSize)
                : t.GetBytes(OpCustomOptions, "custom_options");

            return new TfliteOperator
            {
                OpcodeIndex = (int)opcodeIndex,
                Inputs = inputs,
                Outputs = outputs,
                Intermediates = intermediates,
                BuiltinOptionsType = u.Type,
                BuiltinOptions = options,
                BuiltinOptions2Type = t.GetByte(OpBuiltinOptions2Type, "builtin_options_2_type"),
                CustomOptions = custom,
                CustomOptionsFormat = t.GetSByte(OpCustomOptionsFormat, "custom_options_format"),
            };
        }
    }
}
