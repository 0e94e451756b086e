using System.Collections.Generic;
using System.Linq;

namespace Mote.Packer.Profiles
{
    /// <summary>
    /// A hardware profile cannot be used: not found, not JSON, or a field is missing or wrong.
    /// The message names the file and every offending field (as a JSON pointer, e.g. /ram_budget_bytes).
    /// </summary>
    public sealed class ProfileException : PackException
    {
        /// <summary>The profile file (or the id that was looked up).</summary>
        public string File { get; }
        /// <summary>Every problem found, each naming its field; empty for file-level errors.</summary>
        public IReadOnlyList<SchemaError> Errors { get; }

        public ProfileException(string file, string message) : base($"{file}: {message}")
        {
            File = file;
            Errors = new List<SchemaError>();
        }

        public ProfileException(string file, IReadOnlyList<SchemaError> errors) : base(Format(file, errors))
        {
            File = file;
            Errors = errors;
        }

        static string Format(string file, IReadOnlyList<SchemaError> errors)
        {
            if (errors.Count == 1) return $"{file}: {Where(errors[0])}: {errors[0].Message}";
            return $"{file}: {errors.Count} problems:\n" + string.Join("\n", errors.Select(e => $"  {Where(e)}: {e.Message}"));
        }

        static string Where(SchemaError e) => e.Pointer.Length == 0 ? "(root)" : e.Pointer;
    }
}
