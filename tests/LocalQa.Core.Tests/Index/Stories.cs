namespace LocalQa.Core.Tests;

/// <summary>Hand-written articles: one story, a syndicated copy of it as another outlet would publish it, and an unrelated story.</summary>
internal static class Stories
{
    public const string Original = """
        Alpine glacier loses record mass in a single summer

        Scientists monitoring the Morteratsch glacier in eastern Switzerland said on Tuesday that the ice lost more mass this summer than in any year since measurements began in 1878.

        The team from the regional glaciology institute measured a thinning of almost four metres at the tongue of the glacier, twice the average of the previous decade. Long heatwaves in June and August, together with a winter that brought little snow, left the ice exposed for weeks.

        Local guides have moved the start of the glacier trail three times in ten years. The hut that once stood at the edge of the ice is now a forty minute walk away from it, and new lakes have formed where the ice retreated.

        The institute plans to cover parts of the glacier with white fleece next year to reflect sunlight, a method already tested on the Rhone glacier. Critics say the fleece only slows the melting on a small area and does nothing about the cause.

        Researchers expect the glacier to lose another third of its volume by 2050 even if emissions fall quickly, and warn that water supplies in the valleys below will change as a result.
        """;

    public const string SyndicatedCopy = """
        Home | World | Science | Climate | Subscribe now and get the first month free

        Alpine glacier loses record mass in a single summer

        Scientists monitoring the Morteratsch glacier in eastern Switzerland said on Tuesday that the ice lost more mass this summer than in any year since measurements began in 1878.

        The team from the regional glaciology institute measured a thinning of almost four metres at the tongue of the glacier, twice the average of the previous decade. Long heatwaves in June and August, together with a winter that brought very little snow, left the ice exposed for weeks.

        The institute plans to cover parts of the glacier with white fleece next year to reflect sunlight, a method already tested on the Rhone glacier. Critics say the fleece only slows the melting on a small area and does nothing about the cause.

        Researchers expect the glacier to lose another third of its volume by 2050 even if emissions fall quickly, and warn that water supplies in the valleys below will change as a result.

        Copyright 2025 The Daily Courier. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.
        """;

    public const string Unrelated = """
        City council approves new tram line to the airport

        The city council voted on Monday to build a tram line linking the central station with the airport, ending a debate that lasted more than a decade.

        The line will be eleven kilometres long with nine stops, and trams will run every seven minutes at peak times. Construction is expected to start next spring and to take four years.

        Opponents argued that buses could serve the route for a fraction of the cost, while supporters pointed to the growing number of passengers and the noise of the current shuttle buses.

        The council said the project would be financed by the city, the regional government and a loan from a public development bank.
        """;
}
