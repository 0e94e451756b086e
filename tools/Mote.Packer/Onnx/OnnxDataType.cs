namespace Mote.Packer.Onnx
{
    /// <summary>ONNX TensorProto.DataType: element types of tensors and value infos (numbers as in the ONNX schema).
    /// Values newer than this list survive parsing as plain numbers and fail only when their data is requested.</summary>
    public enum OnnxDataType
    {
        Undefined = 0,
        Float = 1,
        UInt8 = 2,
        Int8 = 3,
        UInt16 = 4,
        Int16 = 5,
        Int32 = 6,
        Int64 = 7,
        String = 8,
        Bool = 9,
        Float16 = 10,
        Double = 11,
        UInt32 = 12,
        UInt64 = 13,
        Complex64 = 14,
        Complex128 = 15,
        BFloat16 = 16,
        Float8E4M3FN = 17,
        Float8E4M3FNUZ = 18,
        Float8E5M2 = 19,
        Float8E5M2FNUZ = 20,
        UInt4 = 21,
        Int4 = 22,
        Float4E2M1 = 23,
        Float8E8M0 = 24,
        UInt2 = 25,
        Int2 = 26,
    }

    /// <summary>Names and storage sizes of <see cref="OnnxDataType"/> values.</summary>
    public static class OnnxDataTypes
    {
        /// <summary>The ONNX spelling ("FLOAT", "INT8", ...), or "data type 99" for a value this reader does not know.</summary>
        public static string Name(OnnxDataType type)
        {
            switch (type)
            {
                case OnnxDataType.Undefined: return "UNDEFINED";
                case OnnxDataType.Float: return "FLOAT";
                case OnnxDataType.UInt8: return "UINT8";
                case OnnxDataType.Int8: return "INT8";
                case OnnxDataType.UInt16: return "UINT16";
                case OnnxDataType.Int16: return "INT16";
                case OnnxDataType.Int32: return "INT32";
                case OnnxDataType.Int64: return "INT64";
                case OnnxDataType.String: return "STRING";
                case OnnxDataType.Bool: return "BOOL";
                case OnnxDataType.Float16: return "FLOAT16";
                case OnnxDataType.Double: return "DOUBLE";
                case OnnxDataType.UInt32: return "UINT32";
                case OnnxDataType.UInt64: return "UINT64";
                case OnnxDataType.Complex64: return "COMPLEX64";
                case OnnxDataType.Complex128: return "COMPLEX128";
                case OnnxDataType.BFloat16: return "BFLOAT16";
                case OnnxDataType.Float8E4M3FN: return "FLOAT8E4M3FN";
                case OnnxDataType.Float8E4M3FNUZ: return "FLOAT8E4M3FNUZ";
                case OnnxDataType.Float8E5M2: return "FLOAT8E5M2";
                case OnnxDataType.Float8E5M2FNUZ: return "FLOAT8E5M2FNUZ";
                case OnnxDataType.UInt4: return "UINT4";
                case OnnxDataType.Int4: return "INT4";
                case OnnxDataType.Float4E2M1: return "FLOAT4E2M1";
                case OnnxDataType.Float8E8M0: return "FLOAT8E8M0";
                case OnnxDataType.UInt2: return "UINT2";
                case OnnxDataType.Int2: return "INT2";
                default: return "data type " + ((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        /// <summary>Bits one element takes in raw_data (4 and 2 for the packed sub-byte types), 0 for STRING,
        /// UNDEFINED and unknown values (whose raw size cannot be checked).</summary>
        public static int BitsPerElement(OnnxDataType type)
        {
            switch (type)
            {
                case OnnxDataType.UInt8:
                case OnnxDataType.Int8:
                case OnnxDataType.Bool:
                case OnnxDataType.Float8E4M3FN:
                case OnnxDataType.Float8E4M3FNUZ:
                case OnnxDataType.Float8E5M2:
                case OnnxDataType.Float8E5M2FNUZ:
                case OnnxDataType.Float8E8M0:
                    return 8;
                case OnnxDataType.UInt16:
                case OnnxDataType.Int16:
                case OnnxDataType.Float16:
                case OnnxDataType.BFloat16:
                    return 16;
                case OnnxDataType.Float:
                case OnnxDataType.Int32:
                case OnnxDataType.UInt32:
                    return 32;
                case OnnxDataType.Int64:
                case OnnxDataType.Double:
                case OnnxDataType.UInt64:
                case OnnxDataType.Complex64:
                    return 64;
                case OnnxDataType.Complex128:
                    return 128;
                case OnnxDataType.UInt4:
                case OnnxDataType.Int4:
                case OnnxDataType.Float4E2M1:
                    return 4;
                case OnnxDataType.UInt2:
                case OnnxDataType.Int2:
                    return 2;
                default:
                    return 0;
            }
        }

        /// <summary>Bytes that <paramref name="elementCount"/> elements take in raw_data (sub-byte types packed, the last
        /// byte partly used), or -1 when the type has no fixed raw size.</summary>
        public static long RawByteCount(OnnxDataType type, long elementCount)
        {
            int bits = BitsPerElement(type);
            if (bits == 0) return -1;
            if (bits >= 8) return elementCount * (bits / 8);
            int perByte = 8 / bits;
            return (elementCount + perByte - 1) / perByte;
        }
    }
}
