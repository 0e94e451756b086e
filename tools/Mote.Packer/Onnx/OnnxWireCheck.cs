using System;
using System.Globalization;
using Google.Protobuf.Reflection;
using Mote.Packer.Onnx.Proto;

namespace Mote.Packer.Onnx
{
    /// <summary>
    /// Checks the protobuf wire structure of a file before Google.Protobuf decodes it, guided by the descriptors
    /// generated from onnx_subset.proto. Two reasons:
    /// <list type="bullet">
    /// <item>Messages. A failure is reported at its byte offset with the path of the field, e.g.
    /// <c>offset 0x3A5 (graph.node[3].attribute[1]): length 2147483647 runs past the end of graph.node[3] (120 bytes left)</c>,
    /// where the decoder only says that the input ended unexpectedly somewhere.</item>
    /// <item>Robustness. Google.Protobuf 3.25 adds a declared length to the current position in 32-bit arithmetic; a
    /// length near 2^31 inside a nested message overflows that sum and the decoder then fails with
    /// IndexOutOfRangeException instead of its own exception (found by OnnxFuzzTests). Here every length is checked
    /// against the bytes left in its enclosing message first, so the decoder never sees such a length.</item>
    /// </list>
    /// Checked: tags (field number > 0, wire type 0, 1, 2 or 5: groups, which ONNX never uses, are rejected), varints
    /// (at most 10 bytes, not cut off), fixed-size values and lengths within the enclosing message, the wire type of
    /// every field this subset knows (packed or unpacked for repeated numbers), the contents of packed fields, and
    /// nesting depth. Unknown fields are checked as far as their wire type allows and then skipped.
    /// Cost: one pass over the file, skipping the contents of bytes/string fields.
    /// </summary>
    internal static class OnnxWireCheck
    {
        /// <summary>Nesting limit, the same as Google.Protobuf's default recursion limit.</summary>
        internal const int MaxDepth = 100;

        /// <summary>Null when the bytes are a well-formed ModelProto on the wire, else "offset 0x.. (path): problem".</summary>
        internal static string Check(byte[] bytes) => CheckMessage(bytes, 0, bytes.Length, ModelProto.Descriptor, null, 0);

        /// <summary>The path of a message being checked, e.g. graph.node[3]; rendered only when reporting a failure.</summary>
        sealed class PathNode
        {
            public PathNode Parent;
            public string Name;
            public int Index; // -1 for a field that is not repeated

            public override string ToString()
            {
                string self = Index >= 0 ? Name + "[" + Index + "]" : Name;
                return Parent == null ? self : Parent + "." + self;
            }
        }

        static string Fail(long offset, PathNode path, string detail) =>
            "offset 0x" + offset.ToString("X", CultureInfo.InvariantCulture) + (path != null ? " (" + path + ")" : "") + ": " + detail;

        /// <summary>Reads a varint at <paramref name="pos"/>; false when it is cut off by <paramref name="end"/> or longer
        /// than 10 bytes (then <paramref name="overlong"/> says which).</summary>
        static bool ReadVarint(byte[] b, ref int pos, int end, out ulong value, out bool overlong)
        {
            value = 0;
            overlong = false;
            for (int i = 0; i < 10; i++)
            {
                if (pos >= end) return false;
                byte x = b[pos++];
                value |= (ulong)(x & 0x7F) << (7 * i);
                if (x < 0x80) return true;
            }
            overlong = true;
            return false;
        }

        static string VarintProblem(bool overlong, string what) =>
            overlong ? what + " is a varint longer than 10 bytes" : what + " is cut off by the end of the message";

        static string CheckMessage(byte[] b, int pos, int end, MessageDescriptor type, PathNode path, int depth)
        {
            if (depth > MaxDepth) return Fail(pos, path, "messages are nested more than " + MaxDepth + " levels deep");
            // Occurrences so far of each repeated message field (for [i] in paths). Every such field of the subset
            // has a number below 32; unknown fields are not counted.
            Span<int> counts = stackalloc int[32];

            while (pos < end)
            {
                int tagAt = pos;
                if (!ReadVarint(b, ref pos, end, out ulong tag, out bool overlong))
                    return Fail(tagAt, path, VarintProblem(overlong, "a field tag"));
                if (tag > uint.MaxValue || (tag >> 3) == 0)
                    return Fail(tagAt, path, "invalid field tag " + tag + " (field number " + (tag >> 3) + ")");
                int number = (int)(tag >> 3);
                int wire = (int)(tag & 7);
                if (wire > 5) return Fail(tagAt, path, "invalid wire type " + wire + " in the tag of field " + number);

                FieldDescriptor field = type?.FindFieldByNumber(number);
                int index = -1;
                if (field != null && field.IsRepeated && field.FieldType == FieldType.Message && number < counts.Length)
                    index = counts[number]++;
                var fieldPath = new PathNode { Parent = path, Name = field?.Name ?? "field " + number, Index = index };
                if (field != null && !WireTypeAllowed(field, wire))
                    return Fail(tagAt, fieldPath, "wire type " + wire + " does not fit a field of type " + field.FieldType);

                switch (wire)
                {
                    case 0:
                        if (!ReadVarint(b, ref pos, end, out _, out overlong))
                            return Fail(tagAt, fieldPath, VarintProblem(overlong, "the value"));
                        break;
                    case 1:
                    case 5:
                    {
                        int size = wire == 1 ? 8 : 4;
                        if (end - pos < size)
                            return Fail(tagAt, fieldPath, "the " + size + "-byte value runs past the end of " + Enclosing(path) +
                                                          " (" + (end - pos) + " bytes left)");
                        pos += size;
                        break;
                    }
                    case 2:
                    {
                        int lengthAt = pos;
                        if (!ReadVarint(b, ref pos, end, out ulong length, out overlong))
                            return Fail(lengthAt, fieldPath, VarintProblem(overlong, "the length"));
                        if (length > (ulong)(end - pos))
                        {
                            string detail = "length " + length + " runs past the end of " + Enclosing(path) + " (" + (end - pos) + " bytes left)";
                            // At the top level an overrun means the file was cut short; deeper down the enclosing
                            // lengths were consistent, so the length itself is wrong.
                            if (path == null) detail += "; the file looks truncated";
                            return Fail(tagAt, fieldPath, detail);
                        }
                        int contentEnd = pos + (int)length;
                        if (field != null && field.FieldType == FieldType.Message)
                        {
                            string problem = CheckMessage(b, pos, contentEnd, field.MessageType, fieldPath, depth + 1);
                            if (problem != null) return problem;
                        }
                        else if (field != null && field.IsRepeated && IsNumeric(field.FieldType))
                        {
                            string problem = CheckPacked(b, pos, contentEnd, field.FieldType, fieldPath);
                            if (problem != null) return problem;
                        }
                        pos = contentEnd;
                        break;
                    }
                    default: // 3 and 4 (start and end group), the only ones left
                        return Fail(tagAt, fieldPath, "group wire type " + wire + " (ONNX files never use protobuf groups)");
                }
            }
            return null;
        }

        static string Enclosing(PathNode path) => path == null ? "the file" : path.ToString();

        /// <summary>The contents of a packed repeated numeric field: whole fixed-size values or complete varints.</summary>
        static string CheckPacked(byte[] b, int pos, int end, FieldType type, PathNode path)
        {
            int size = FixedSize(type);
            if (size > 0)
            {
                return (end - pos) % size == 0 ? null
                    : Fail(pos, path, "packed field of " + (end - pos) + " bytes is not a whole number of " + size + "-byte values");
            }
            while (pos < end)
            {
                int at = pos;
                if (!ReadVarint(b, ref pos, end, out _, out bool overlong))
                    return Fail(at, path, VarintProblem(overlong, "a packed value"));
            }
            return null;
        }

        static bool IsNumeric(FieldType t) =>
            t != FieldType.String && t != FieldType.Bytes && t != FieldType.Message && t != FieldType.Group;

        static int FixedSize(FieldType t)
        {
            switch (t)
            {
                case FieldType.Float:
                case FieldType.Fixed32:
                case FieldType.SFixed32:
                    return 4;
                case FieldType.Double:
                case FieldType.Fixed64:
                case FieldType.SFixed64:
                    return 8;
                default:
                    return 0;
            }
        }

        static bool WireTypeAllowed(FieldDescriptor field, int wire)
        {
            var t = field.FieldType;
            if (!IsNumeric(t)) return wire == 2;
            int native = FixedSize(t) == 4 ? 5 : FixedSize(t) == 8 ? 1 : 0;
            return wire == native || (field.IsRepeated && wire == 2);
        }
    }
}
