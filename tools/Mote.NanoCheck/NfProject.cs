using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Mote.NanoCheck
{
    /// <summary>
    /// The C# files an .nfproj (or any old-style MSBuild project) compiles: its <c>Compile</c> items,
    /// with <c>Include</c>/<c>Exclude</c> wildcards (<c>*</c>, <c>**</c>, <c>?</c>) expanded as MSBuild does,
    /// and <c>Condition</c>s of the forms <c>'$(Name)' == 'value'</c> and <c>!=</c> evaluated against the
    /// project's own unconditional defaults (a property set with <c>Condition="'$(Name)' == ''"</c> counts)
    /// overridden by the caller's properties. Enough for Mote's projects; anything else in a condition is
    /// an error rather than a guess. The nanoFramework project system itself is not involved.
    /// </summary>
    public static class NfProject
    {
        static readonly Regex SimpleCondition = new Regex(@"^\s*'\$\((\w+)\)'\s*(==|!=)\s*'([^']*)'\s*$");

        public static List<string> CompileItems(string projectPath, IReadOnlyDictionary<string, string> overrides)
        {
            if (!File.Exists(projectPath)) throw new FileNotFoundException("project not found: " + projectPath);
            var doc = XDocument.Load(projectPath);
            string dir = Path.GetDirectoryName(Path.GetFullPath(projectPath));
            var props = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

            // Properties first (MSBuild's first pass), in document order.
            foreach (var group in doc.Root.Elements().Where(e => e.Name.LocalName == "PropertyGroup"))
            {
                if (!Holds(group, props, overrides, projectPath)) continue;
                foreach (var p in group.Elements())
                {
                    string name = p.Name.LocalName;
                    if (!Holds(p, props, overrides, projectPath)) continue;
                    props[name] = p.Value.Trim();
                }
            }
            foreach (var kv in overrides) props[kv.Key] = kv.Value;

            var files = new List<string>();
            foreach (var group in doc.Root.Elements().Where(e => e.Name.LocalName == "ItemGroup"))
            {
                if (!Holds(group, props, overrides, projectPath)) continue;
                foreach (var item in group.Elements().Where(e => e.Name.LocalName == "Compile"))
                {
                    if (!Holds(item, props, overrides, projectPath)) continue;
                    string include = (string)item.Attribute("Include");
                    if (string.IsNullOrWhiteSpace(include)) continue;
                    var excluded = new HashSet<string>(StringComparer.Ordinal);
                    foreach (string pattern in Split((string)item.Attribute("Exclude")))
                        foreach (var f in Expand(dir, pattern)) excluded.Add(f);
                    foreach (string pattern in Split(include))
                    {
                        var matched = Expand(dir, pattern).Where(f => !excluded.Contains(f)).ToList();
                        if (matched.Count == 0)
                            throw new FileNotFoundException(projectPath + ": Compile item '" + pattern + "' matches no file");
                        foreach (var f in matched)
                            if (!files.Contains(f)) files.Add(f);
                    }
                }
            }
            return files;
        }

        static IEnumerable<string> Split(string list) =>
            (list ?? "").Split(';').Select(s => s.Trim()).Where(s => s.Length > 0);

        static bool Holds(XElement e, Dictionary<string, string> props, IReadOnlyDictionary<string, string> overrides, string project)
        {
            string condition = (string)e.Attribute("Condition");
            if (string.IsNullOrWhiteSpace(condition)) return true;
            var m = SimpleCondition.Match(condition);
            if (!m.Success) throw new FormatException(project + ": condition not understood by nanocheck: " + condition);
            string name = m.Groups[1].Value;
            string value = overrides.TryGetValue(name, out var o) ? o : props.TryGetValue(name, out var v) ? v : "";
            bool equal = string.Equals(value, m.Groups[3].Value, StringComparison.OrdinalIgnoreCase);
            return m.Groups[2].Value == "==" ? equal : !equal;
        }

        /// <summary>Files matching one Include/Exclude entry (relative to the project directory, '\' or '/').</summary>
        static IEnumerable<string> Expand(string dir, string pattern)
        {
            string p = pattern.Replace('\\', '/');
            int wild = p.IndexOfAny(new[] { '*', '?' });
            if (wild < 0)
            {
                string full = Path.GetFullPath(Path.Combine(dir, p));
                return File.Exists(full) ? new[] { full } : Array.Empty<string>();
            }
            int cut = p.LastIndexOf('/', wild);
            string baseDir = Path.GetFullPath(Path.Combine(dir, cut < 0 ? "." : p.Substring(0, cut)));
            string rest = cut < 0 ? p : p.Substring(cut + 1);
            if (!Directory.Exists(baseDir)) return Array.Empty<string>();
            string regex = "^" + Regex.Escape(rest)
                .Replace(@"\*\*/", "(?:.*/)?").Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]") + "$";
            var re = new Regex(regex, RegexOptions.IgnoreCase);
            return Directory.EnumerateFiles(baseDir, "*", SearchOption.AllDirectories)
                .Where(f => re.IsMatch(Path.GetRelativePath(baseDir, f).Replace('\\', '/')))
                .Select(Path.GetFullPath)
                .OrderBy(f => f, StringComparer.Ordinal);
        }
    }
}
