using System.Text.RegularExpressions;

namespace LocalQa.Core.Documents.Cleaning;

/// <summary>The phrase patterns of the default rules; each is matched case-insensitively.</summary>
internal static partial class BoilerplatePatterns
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    /// <summary>Whole short lines of site chrome: navigation, sharing, ads, reading time, cookie buttons.</summary>
    [GeneratedRegex("""
        ^(?:
          skip\ (?:to|navigation)(?:\ (?:the\ )?(?:main|primary))?(?:\ (?:content|navigation|menu))?
        | jump\ to\ (?:main\ )?(?:content|navigation)
        | toggle\ (?:navigation|menu|search)
        | (?:main\ |primary\ |open\ |close\ )?(?:menu|navigation)
        | search(?:\ this\ site|\ for)?
        | home(?:\ ?page)?
        | log\ ?(?:in|out)|sign\ ?(?:in|up|out)|register|my\ account
        | subscribe(?:\ now|\ today|\ for\ free|\ here)?
        | share(?:\ this(?:\ article|\ story|\ post|\ page)?)?(?:\ on\ \w+)?
        | (?:tweet|pin|email|print)(?:\ (?:this|it)(?:\ (?:article|story|page))?)?
        | advertisement|advertising|advert|ads?|sponsored(?:\ content|\ post|\ links?)?|promoted(?:\ content)?
        | back\ to\ top|scroll\ to\ top
        | (?:previous|next)(?:\ (?:article|post|story|page))?
        | read\ (?:more|next|full\ (?:article|story))|continue\ reading|see\ more|show\ more|load\ more|view\ (?:all|more)
        | \d+\ (?:min|mins|minute|minutes)(?:\ read|\ to\ read)?|(?:min|minute)\ read
        | listen(?:\ to\ (?:this\ )?(?:article|story))?
        | no\ comments(?:\ yet)?|view\ comments|show\ comments
        | follow\ us(?:\ on\ \w+)?|newsletter|sign\ up\ for\ (?:our|the)\ newsletter
        | cookie\ (?:settings|preferences|policy)|privacy\ policy|terms(?:\ of\ (?:use|service))?|contact\ us|about\ us
        | (?:accept|reject|decline|allow)(?:\ all)?(?:\ cookies)?|manage\ (?:cookies|preferences)|got\ it
        )$
        """, Options | RegexOptions.IgnorePatternWhitespace)]
    internal static partial Regex NavigationLine();

    /// <summary>Invitations to comment, subscribe, share, contribute or accept cookies.</summary>
    [GeneratedRegex("""
        what\ are\ your\ thoughts|what\ do\ you\ think\ (?:about|of)\ (?:this|it)
        | let\ (?:us|me)\ know\ (?:in\ the\ comments|what\ you\ think|your\ thoughts)
        | in\ the\ comments?(?:\ below|\ section)|share\ your\ (?:thoughts|experiences?|views|opinions?)
        | (?:leave|drop|post)\ (?:a|your)\ comments?
        | subscribe\ to\ (?:our|the|my)\ (?:newsletter|channel|podcast|feed|mailing\ list)
        | sign\ up\ (?:for|to)\ (?:our|the|my)\ (?:newsletter|mailing\ list)
        | join\ (?:our|the)\ (?:newsletter|mailing\ list)|follow\ us\ on|like\ us\ on
        | click\ here|tap\ here
        | please\ (?:contribute|subscribe|share|donate|follow\ us|support\ us|consider\ supporting)
        | call\ for\ contributions|contribute\ on\ github
        | support\ (?:our|independent)\ journalism|become\ a\ (?:member|patron|subscriber)
        | download\ (?:our|the)\ (?:free\ )?app|share\ this\ (?:article|story|post)
        | we\ use\ cookies|this\ (?:web)?site\ uses\ cookies|accept\ (?:all\ )?cookies
        | by\ continuing\ to\ (?:use|browse)|you\ agree\ to\ (?:our|the)\ (?:use\ of\ cookies|terms|privacy)
        """, Options | RegexOptions.IgnorePatternWhitespace)]
    internal static partial Regex CallToAction();

    /// <summary>Copyright, licence, syndication and legal-footer lines.</summary>
    [GeneratedRegex("""
        all\ rights\ reserved\.?\s*$
        | ^\s*(?:©|\(c\)|copyright\b)|©\s*\d{4}|copyright\s*(?:©\s*)?\d{4}
        | ^\s*(?:this\ (?:work|article|content|page|text|post)\ is\ )?(?:released|licensed|published|available|distributed)\ under\ (?:the\ |a\ )?(?:cc[\ -]|creative\ commons|mit\b|gnu|gpl|apache|bsd|mozilla|public\ domain)
        | ^\s*cc[\ -]by\b|creative\ commons\ attribution
        | ^\s*(?:this\ (?:story|article|post|piece|report|interview)\ )?(?:was\ |is\ )?(?:originally|first)\ (?:published|appeared|featured|posted|ran)\ (?:on|in|at|by)\b
        | ^\s*(?:reprinted|republished|reproduced)\ with\ permission
        | terms\ of\ (?:use|service)\b.*privacy|privacy\ policy\b.*terms
        """, Options | RegexOptions.IgnorePatternWhitespace)]
    internal static partial Regex CopyrightNotice();

    /// <summary>Photo and image credits.</summary>
    [GeneratedRegex("""
        getty\ ?images|shutterstock|istock(?:photo)?|unsplash|ap\ photo|afp\ photo|afp\ via|/\s*(?:reuters|afp|ap|bloomberg)\b|\b(?:reuters|bloomberg|afp)\s*/
        | image\ credits?|photo\ credits?|photograph:|courtesy\ of
        | ^\s*(?:photo|image|picture|illustration|photograph|credit)s?(?:\ by)?\s*[:：|]
        | ^\s*(?:photo|image|illustration)\ by\ 
        """, Options | RegexOptions.IgnorePatternWhitespace)]
    internal static partial Regex ImageCredit();

    /// <summary>The heading of a comment section or comment form.</summary>
    [GeneratedRegex("""
        ^(?:leave\ a\ (?:reply|comment)|post\ a\ comment|add\ a\ comment|write\ a\ comment|join\ the\ (?:discussion|conversation)
        | (?:\d+\ )?(?:comments?|responses?|replies)(?:\ \d+)?|cancel\ reply|reply|discussion)$
        """, Options | RegexOptions.IgnorePatternWhitespace)]
    internal static partial Regex CommentHeading();

    /// <summary>The fine print of a comment form, which article prose never contains.</summary>
    [GeneratedRegex("""
        will\ not\ be\ published|required\ fields\ are\ marked|save\ my\ name,?\ e-?mail|post\ comment|submit\ comment
        | notify\ me\ of\ (?:new|follow)|akismet|logged\ in\ to\ (?:post\ a\ )?comment|comment\ data\ is\ processed
        """, Options | RegexOptions.IgnorePatternWhitespace)]
    internal static partial Regex CommentFinePrint();

    /// <summary>A field of a comment form, matched against a normalized line.</summary>
    [GeneratedRegex("""
        ^(?:your\ )?(?:name|e-?mail(?:\ address)?|website|url|comment|message|reply|submit|post|cancel)$
        """, Options | RegexOptions.IgnorePatternWhitespace)]
    internal static partial Regex CommentField();

    /// <summary>The heading of a list of links to other stories.</summary>
    [GeneratedRegex("""
        ^(?:related(?:\ posts|\ articles|\ stories|\ content|\ reading|\ links|\ news)?
        | read\ (?:more|next|also)|also\ read|more\ (?:stories|articles|news|from\ .{1,40})
        | you\ (?:may|might)\ also\ (?:like|enjoy|be\ interested\ in)|recommended(?:\ for\ you|\ stories|\ reading|\ articles)?
        | popular(?:\ posts|\ stories|\ articles|\ now)?|trending(?:\ now|\ stories)?|most\ (?:popular|read|viewed|shared)
        | don'?t\ miss|editor'?s\ picks|latest\ (?:news|posts|stories|articles)|top\ stories|in\ case\ you\ missed\ it)$
        """, Options | RegexOptions.IgnorePatternWhitespace)]
    internal static partial Regex RelatedLinksHeading();
}
