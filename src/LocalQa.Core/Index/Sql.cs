using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Index;

/// <summary>Small helpers for prepared, parameterized commands that are created once and reused.</summary>
internal static class Sql
{
    /// <summary>A command with its parameters declared up front, so callers set values by position and never build SQL from data.</summary>
    public static SqliteCommand Command(SqliteConnection connection, string text, params ReadOnlySpan<string> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = text;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    /// <summary>Microsoft.Data.Sqlite requires every command to name the connection's open transaction.</summary>
    public static void Enlist(SqliteTransaction? transaction, params ReadOnlySpan<SqliteCommand> commands)
    {
        foreach (var command in commands)
        {
            command.Transaction = transaction;
        }
    }

    public static int Run(SqliteCommand command, params ReadOnlySpan<object?> values)
    {
        SetValues(command, values);
        return command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteCommand command, params ReadOnlySpan<object?> values)
    {
        SetValues(command, values);
        return command.ExecuteScalar();
    }

    public static void SetValues(SqliteCommand command, ReadOnlySpan<object?> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    /// <summary>Runs a one-off statement without parameters (schema changes, pragmas).</summary>
    public static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string text)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        command.ExecuteNonQuery();
    }

    public static long ScalarLong(SqliteConnection connection, SqliteTransaction? transaction, string text)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
