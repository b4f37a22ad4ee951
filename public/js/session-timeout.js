// Progressive enhancement only: with script off, an idle session simply ends after 15 minutes and the
// sign-on page says why. With script on, two minutes before the end a warning offers to stay signed on
// without leaving the page (and so without losing what the member has typed).
;(function () {
  var warning = document.getElementById('session-warning')
  if (!warning || !window.fetch) return
  var warnAfter = Number(warning.getAttribute('data-warn-after-seconds')) * 1000
  var form = warning.querySelector('form')
  var timer

  function arm() {
    clearTimeout(timer)
    timer = setTimeout(function () {
      warning.hidden = false
      warning.focus()
    }, warnAfter)
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault()
    fetch(form.action, { method: 'POST', body: new URLSearchParams(new FormData(form)), headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error('not kept alive')
        warning.hidden = true
        arm()
      })
      .catch(function () {
        form.submit()
      })
  })
  arm()
})()
