using System;
using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf.Collections;
using Mote.Packer.Onnx.Proto;

namespace Mote.Packer.Onnx
{
    /// <summary>
    /// A constant tensor of an ONNX model (an initializer or a TENSOR attribute such as Constant's value).
    /// Shape and storage were checked when the model was read: dimensions are >= 0, the element count is at most
    /// 2^31-1, and exactly one data field holds exactly the elements the shape calls for (raw_data: fixed-width
    /// little-endian; or the typed field ONNX assigns to the type: float_data, int32_data, int64_data, double_data,
    /// uint64_data, string_data). The data is decoded only on request by the To* methods, which throw
    /// <see cref="OnnxFormatException"/> naming the tensor when its type cannot be read that way.
    /// </summary>
    public sealed class OnnxTensor
    {
        /// <summary>The largest element count accepted (int.MaxValue: the data must fit in one .NET array).</summary>
        public const long MaxElements = int.MaxValue;

        readonly TensorProto _proto;
        readonly string _file;
        readonly string _where;

        /// <summary>The tensor's name ("" for unnamed attribute tensors).</summary>
        public string Name { get; }
        public OnnxDataType DataType { get; }
        /// <summary>Dimensions, outermost first; empty for a scalar.</summary>
        public long[] Dims { get; }
        /// <summary>Product of <see cref="Dims"/> (1 for a scalar, 0 if any dimension is 0).</summary>
        public long ElementCount { get; }
        public string DocString { get; }
        /// <summary>The field holding the elements: "raw_data", "float_data", "int32_data", "int64_data",
        /// "double_data", "uint64_data", "string_data", or "" when there is none (an empty tensor).</summary>
        public string StorageField { get; }
        /// <summary>Where the tensor sits in the model, as used in messages, e.g. <c>initializer 'w'</c> or
        /// <c>node 3 'c' (Constant), attribute 'value'</c>.</summary>
        public string Describe => _where;

        OnnxTensor(TensorProto proto, string file, string where, long[] dims, long count, string storage)
        {
            _proto = proto;
            _file = file;
            _where = where;
            Name = proto.Name;
            DataType = (OnnxDataType)proto.DataType;
            Dims = dims;
            ElementCount = count;
            DocString = proto.DocString;
            StorageField = storage;
        }

        /// <summary>"FLOAT [8, 1, 3, 3]" (a scalar: "FLOAT []").</summary>
        public string TypeAndShape => OnnxDataTypes.Name(DataType) + " " + FormatDims(Dims);

        public override string ToString() => (Name.Length > 0 ? "'" + Name + "' " : "") + TypeAndShape;

        internal static string FormatDims(long[] dims) =>
            "[" + string.Join(", ", Array.ConvertAll(dims, d => d.ToString(CultureInfo.InvariantCulture))) + "]";

        // ---- Validation (at parse) ----

        /// <summary>Checks a TensorProto and wraps it; <paramref name="where"/> names it in messages.</summary>
        internal static OnnxTensor FromProto(TensorProto p, string file, string where)
        {
            OnnxFormatException Bad(string detail) => new OnnxFormatException(file, where + ": " + detail);

            if (p.DataLocation == TensorProto.Types.DataLocation.External || p.ExternalData.Count > 0)
            {
                string location = "";
                foreach (var e in p.ExternalData)
                    if (e.Key == "location") location = " ('" + e.Value + "')";
                throw Bad("its data is in an external file" + location + "; external data files are not supported; " +
                          "save the model with all tensors inside (onnx.save_model(model, path, save_as_external_data=False))");
            }
            if (p.Segment != null)
                throw Bad("is one segment of a larger tensor (TensorProto.segment); segmented tensors are not supported");

            var dims = new long[p.Dims.Count];
            p.Dims.CopyTo(dims, 0);
            bool anyZero = false;
            for (int i = 0; i < dims.Length; i++)
            {
                if (dims[i] < 0) throw Bad("dimension " + i + " of " + FormatDims(dims) + " is negative");
                if (dims[i] == 0) anyZero = true;
            }
            long count = 1;
            if (anyZero) count = 0;
            else
            {
                foreach (long d in dims)
                {
                    // count <= MaxElements and d >= 1, so count * d cannot overflow while the bound is checked first.
                    if (d > MaxElements || count > MaxElements / d)
                        throw Bad("shape " + FormatDims(dims) + " has more than 2^31-1 elements, which is not supported");
                    count *= d;
                }
            }

            var type = (OnnxDataType)p.DataType;
            string typeAndShape = OnnxDataTypes.Name(type) + " " + FormatDims(dims);

            // Exactly one data field may be present.
            string storage = "";
            int fieldsPresent = 0;
            void Note(bool present, string field)
            {
                if (!present) return;
                if (fieldsPresent > 0)
                    throw Bad("data is stored in both " + storage + " and " + field + "; exactly one data field is allowed");
                storage = field;
                fieldsPresent++;
            }
            Note(p.HasRawData, "raw_data");
            Note(p.FloatData.Count > 0, "float_data");
            Note(p.Int32Data.Count > 0, "int32_data");
            Note(p.Int64Data.Count > 0, "int64_data");
            Note(p.DoubleData.Count > 0, "double_data");
            Note(p.Uint64Data.Count > 0, "uint64_data");
            Note(p.StringData.Count > 0, "string_data");

            if (fieldsPresent == 0)
            {
                if (count > 0)
                    throw Bad("has no data (" + typeAndShape + " needs " + count + " elements in raw_data or a typed data field)");
                return new OnnxTensor(p, file, where, dims, count, storage);
            }

            bool knownType = type == OnnxDataType.String || OnnxDataTypes.BitsPerElement(type) > 0;
            if (storage == "raw_data")
            {
                if (type == OnnxDataType.String)
                    throw Bad("is STRING but its data is in raw_data; strings must be stored in string_data");
                long expected = OnnxDataTypes.RawByteCount(type, count);
                if (expected >= 0 && p.RawData.Length != expected)
                    throw Bad("raw_data holds " + p.RawData.Length + " bytes, expected " + expected + " (" + typeAndShape + ")");
            }
            else if (knownType)
            {
                string field = TypedField(type);
                if (storage != field)
                    throw Bad("is " + OnnxDataTypes.Name(type) + " but its data is in " + storage +
                              " (expected raw_data or " + field + ")");
                long expected = TypedCount(type, count);
                int actual = FieldCount(p, storage);
                if (actual != expected)
                    throw Bad(storage + " holds " + actual + " values, expected " + expected + " (" + typeAndShape + ")");
            }
            // Unknown or UNDEFINED type with typed data: nothing to check against; reading it fails with a clear message.
            return new OnnxTensor(p, file, where, dims, count, storage);
        }

        /// <summary>The typed field ONNX stores a type in (besides raw_data).</summary>
        static string TypedField(OnnxDataType type)
        {
            switch (type)
            {
                case OnnxDataType.Float:
                case OnnxDataType.Complex64:
                    return "float_data";
                case OnnxDataType.Int64:
                    return "int64_data";
                case OnnxDataType.Double:
                case OnnxDataType.Complex128:
                    return "double_data";
                case OnnxDataType.UInt32:
                case OnnxDataType.UInt64:
                    return "uint64_data";
                case OnnxDataType.String:
                    return "string_data";
                default:
                    return "int32_data"; // every other known type, sub-byte types packed
            }
        }

        /// <summary>Values of the typed field that <paramref name="count"/> elements take.</summary>
        static long TypedCount(OnnxDataType type, long count)
        {
            switch (type)
            {
                case OnnxDataType.Complex64:
                case OnnxDataType.Complex128:
                    return 2 * count;
                default:
                    int bits = OnnxDataTypes.BitsPerElement(type);
                    if (bits == 4) return (count + 1) / 2;
                    if (bits == 2) return (count + 3) / 4;
                    return count;
            }
        }

        static int FieldCount(TensorProto p, string field)
        {
            switch (field)
            {
                case "float_data": return p.FloatData.Count;
                case "int32_data": return p.Int32Data.Count;
                case "int64_data": return p.Int64Data.Count;
                case "double_data": return p.DoubleData.Count;
                case "uint64_data": return p.Uint64Data.Count;
                case "string_data": return p.StringData.Count;
                default: return p.RawData.Length;
            }
        }

        // ---- Data access ----

        bool IsRaw => StorageField == "raw_data";
        int Count => (int)ElementCount;
        ReadOnlySpan<byte> Raw => _proto.RawData.Span;

        OnnxFormatException Error(string detail) => new OnnxFormatException(_file, _where + ": " + detail);

        OnnxFormatException CannotRead(string what) =>
            Error("is " + TypeAndShape + "; cannot read it as " + what);

        /// <summary>The elements as float: FLOAT as stored; DOUBLE, FLOAT16 and BFLOAT16 converted (rounded to
        /// nearest); integer types (INT8/16/32/64, UINT8/16/32/64, BOOL) converted exactly where float can hold them.
        /// Other types (STRING, complex, 8/4/2-bit floats and integers) throw.</summary>
        public float[] ToFloats()
        {
            // Type first: the data of unknown types was not checked against the shape, so their element count may
            // be far larger than the file (nothing is allocated for them).
            if (!IsIntegerType(DataType) && DataType != OnnxDataType.Float && DataType != OnnxDataType.Double &&
                DataType != OnnxDataType.Float16 && DataType != OnnxDataType.BFloat16)
                throw CannotRead("float");
            int n = Count;
            var result = new float[n];
            if (n == 0) return result;
            switch (DataType)
            {
                case OnnxDataType.Float:
                    if (IsRaw)
                    {
                        var raw = Raw;
                        for (int i = 0; i < n; i++) result[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(4 * i));
                    }
                    else _proto.FloatData.CopyTo(result, 0);
                    return result;
                case OnnxDataType.Double:
                    if (IsRaw)
                    {
                        var raw = Raw;
                        for (int i = 0; i < n; i++) result[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw.Slice(8 * i));
                    }
                    else
                    {
                        RepeatedField<double> d = _proto.DoubleData;
                        for (int i = 0; i < n; i++) result[i] = (float)d[i];
                    }
                    return result;
                case OnnxDataType.Float16:
                case OnnxDataType.BFloat16:
                {
                    bool half = DataType == OnnxDataType.Float16;
                    for (int i = 0; i < n; i++)
                    {
                        ushort bits = IsRaw ? BinaryPrimitives.ReadUInt16LittleEndian(Raw.Slice(2 * i)) : Bits16(i);
                        result[i] = half ? (float)BitConverter.UInt16BitsToHalf(bits) : BitConverter.Int32BitsToSingle(bits << 16);
                    }
                    return result;
                }
                case OnnxDataType.UInt64:
                {
                    // Through ulong so that values above long.MaxValue convert too.
                    for (int i = 0; i < n; i++)
                        result[i] = IsRaw ? BinaryPrimitives.ReadUInt64LittleEndian(Raw.Slice(8 * i)) : _proto.Uint64Data[i];
                    return result;
                }
                default:
                    long[] values = ReadIntegers();
                    for (int i = 0; i < n; i++) result[i] = values[i];
                    return result;
            }
        }

        /// <summary>The elements of an integer tensor (INT8/16/32/64, UINT8/16/32/64, BOOL as 0/1) as long.
        /// Floating-point tensors throw, even with integral values; so does a UINT64 value above long.MaxValue.</summary>
        public long[] ToInt64s()
        {
            if (!IsIntegerType(DataType)) throw CannotRead("integers");
            return ReadIntegers();
        }

        /// <summary>The elements of an INT32 tensor (no other type is accepted).</summary>
        public int[] ToInt32s()
        {
            RequireExact(OnnxDataType.Int32);
            if (!IsRaw)
            {
                var result = new int[Count];
                if (Count > 0) _proto.Int32Data.CopyTo(result, 0);
                return result;
            }
            var raw = Raw;
            var values = new int[Count];
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt32LittleEndian(raw.Slice(4 * i));
            return values;
        }

        /// <summary>The elements of an INT8 tensor (no other type is accepted).</summary>
        public sbyte[] ToInt8s()
        {
            RequireExact(OnnxDataType.Int8);
            var result = new sbyte[Count];
            if (IsRaw)
            {
                var raw = Raw;
                for (int i = 0; i < result.Length; i++) result[i] = unchecked((sbyte)raw[i]);
            }
            else
            {
                for (int i = 0; i < result.Length; i++) result[i] = (sbyte)TypedInt32(i, sbyte.MinValue, sbyte.MaxValue);
            }
            return result;
        }

        /// <summary>The elements of a UINT8 tensor (no other type is accepted).</summary>
        public byte[] ToUInt8s()
        {
            RequireExact(OnnxDataType.UInt8);
            if (IsRaw) return Raw.ToArray();
            var result = new byte[Count];
            for (int i = 0; i < result.Length; i++) result[i] = (byte)TypedInt32(i, byte.MinValue, byte.MaxValue);
            return result;
        }

        /// <summary>The elements of a STRING tensor, decoded as UTF-8 (invalid sequences become U+FFFD).</summary>
        public string[] ToStrings()
        {
            RequireExact(OnnxDataType.String);
            var result = new string[Count];
            for (int i = 0; i < result.Length; i++) result[i] = _proto.StringData[i].ToStringUtf8();
            return result;
        }

        /// <summary>The raw_data bytes as stored (little-endian), or null when the data is in a typed field.</summary>
        public ReadOnlyMemory<byte>? RawData => IsRaw ? _proto.RawData.Memory : (ReadOnlyMemory<byte>?)null;

        void RequireExact(OnnxDataType expected)
        {
            if (DataType != expected) throw CannotRead(OnnxDataTypes.Name(expected));
        }

        static bool IsIntegerType(OnnxDataType t) =>
            t == OnnxDataType.Int8 || t == OnnxDataType.UInt8 || t == OnnxDataType.Int16 || t == OnnxDataType.UInt16 ||
            t == OnnxDataType.Int32 || t == OnnxDataType.Int64 || t == OnnxDataType.UInt32 || t == OnnxDataType.UInt64 ||
            t == OnnxDataType.Bool;

        /// <summary>int32_data[i], which must lie in [min, max] for the narrower type it stands for.</summary>
        int TypedInt32(int i, int min, int max)
        {
            int v = _proto.Int32Data[i];
            if (v < min || v > max)
                throw Error("int32_data[" + i + "] = " + v + " is outside the range of " + OnnxDataTypes.Name(DataType) +
                            " [" + min + ", " + max + "]");
            return v;
        }

        ushort Bits16(int i) => (ushort)TypedInt32(i, 0, ushort.MaxValue);

        /// <summary>The elements of an integer type (the caller has checked <see cref="IsIntegerType"/>).</summary>
        long[] ReadIntegers()
        {
            int n = Count;
            var result = new long[n];
            if (n == 0) return result;
            var raw = IsRaw ? Raw : ReadOnlySpan<byte>.Empty;
            switch (DataType)
            {
                case OnnxDataType.Int8:
                    for (int i = 0; i < n; i++) result[i] = IsRaw ? unchecked((sbyte)raw[i]) : TypedInt32(i, sbyte.MinValue, sbyte.MaxValue);
                    break;
                case OnnxDataType.UInt8:
                    for (int i = 0; i < n; i++) result[i] = IsRaw ? raw[i] : TypedInt32(i, byte.MinValue, byte.MaxValue);
                    break;
                case OnnxDataType.Bool:
                    for (int i = 0; i < n; i++) result[i] = (IsRaw ? raw[i] : TypedInt32(i, 0, 1)) != 0 ? 1 : 0;
                    break;
                case OnnxDataType.Int16:
                    for (int i = 0; i < n; i++)
                        result[i] = IsRaw ? BinaryPrimitives.ReadInt16LittleEndian(raw.Slice(2 * i)) : TypedInt32(i, short.MinValue, short.MaxValue);
                    break;
                case OnnxDataType.UInt16:
                    for (int i = 0; i < n; i++)
                        result[i] = IsRaw ? BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(2 * i)) : TypedInt32(i, ushort.MinValue, ushort.MaxValue);
                    break;
                case OnnxDataType.Int32:
                    for (int i = 0; i < n; i++)
                        result[i] = IsRaw ? BinaryPrimitives.ReadInt32LittleEndian(raw.Slice(4 * i)) : _proto.Int32Data[i];
                    break;
                case OnnxDataType.Int64:
                    if (IsRaw)
                        for (int i = 0; i < n; i++) result[i] = BinaryPrimitives.ReadInt64LittleEndian(raw.Slice(8 * i));
                    else _proto.Int64Data.CopyTo(result, 0);
                    break;
                case OnnxDataType.UInt32:
                    for (int i = 0; i < n; i++)
                    {
                        ulong v = IsRaw ? BinaryPrimitives.ReadUInt32LittleEndian(raw.Slice(4 * i)) : _proto.Uint64Data[i];
                        if (v > uint.MaxValue)
                            throw Error("uint64_data[" + i + "] = " + v + " is outside the range of UINT32");
                        result[i] = (long)v;
                    }
                    break;
                case OnnxDataType.UInt64:
                    for (int i = 0; i < n; i++)
                    {
                        ulong v = IsRaw ? BinaryPrimitives.ReadUInt64LittleEndian(raw.Slice(8 * i)) : _proto.Uint64Data[i];
                        if (v > long.MaxValue)
                            throw Error("element " + i + " = " + v + " does not fit in a signed 64-bit integer");
                        result[i] = (long)v;
                    }
                    break;
                default:
                    throw CannotRead("integers");
            }
            return result;
        }
    }
}
